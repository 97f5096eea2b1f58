// Waiting in lab tests and benchmarks: sleep, and poll a condition until it holds or time runs out.

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `pred` every `everyMs` until true; resolves with the time it took, rejects naming `what`. */
export async function waitFor(pred: () => Promise<boolean> | boolean, timeoutMs: number, what: string | (() => string), everyMs = 50): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await pred()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await sleep(everyMs);
  }
}
