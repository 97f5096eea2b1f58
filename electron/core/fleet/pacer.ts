// Paces fleets to one page (web client or Electron window): the first after a quiet spell goes at once,
// the ones that follow within `minGapMs` are held and only the latest is sent when the gap has passed (a
// fleet replaces the one before it, so nothing is lost). The core may build a fleet on every turn of its
// event loop; a page needs far fewer (event-stream.ts sends each as a delta).

export const FLEET_SEND_GAP_MS = 40;

export interface Pacer<T> {
  push(value: T): void;
  /** Drops what is held (the client went away). */
  stop(): void;
}

export function fleetPacer<T>(
  send: (value: T) => void,
  minGapMs = FLEET_SEND_GAP_MS,
  clock: { now: () => number; setTimeout: (fn: () => void, ms: number) => unknown; clearTimeout: (t: unknown) => void } = {
    now: Date.now,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
  },
): Pacer<T> {
  let lastSent = -Infinity;
  let held: { value: T } | null = null;
  let timer: unknown = null;
  const flush = () => {
    timer = null;
    if (!held) return;
    const { value } = held;
    held = null;
    lastSent = clock.now();
    send(value);
  };
  return {
    push(value) {
      const wait = lastSent + minGapMs - clock.now();
      if (wait <= 0 && timer === null) {
        lastSent = clock.now();
        send(value);
        return;
      }
      held = { value };
      if (timer === null) timer = clock.setTimeout(flush, Math.max(0, wait));
    },
    stop() {
      held = null;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
  };
}
