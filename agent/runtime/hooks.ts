// ucarp-style up/down hooks: `script <interface> <vaddr> [xparam]`, run one after another per group
// without ever blocking the protocol (the event loop keeps running while a script runs).
import { spawn } from 'node:child_process';

export type HookRunner = (script: string, args: string[]) => Promise<{ code: number | null; error?: string }>;

export const spawnHook: HookRunner = (script, args) =>
  new Promise((resolve) => {
    let child;
    try {
      child = spawn(script, args, { stdio: 'ignore' });
    } catch (e) {
      resolve({ code: null, error: (e as Error).message });
      return;
    }
    child.once('error', (e) => resolve({ code: null, error: e.message }));
    child.once('exit', (code) => resolve({ code }));
  });

/** Serialises hooks of one group: each starts when the previous one ended. */
export class HookQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(
    private readonly run: HookRunner,
    private readonly onFailure: (msg: string) => void,
  ) {}

  push(script: string, args: string[]): void {
    this.tail = this.tail.then(async () => {
      const r = await this.run(script, args);
      if (r.error) this.onFailure(`hook ${script} could not run: ${r.error}`);
      else if (r.code !== 0) this.onFailure(`hook ${script} ${args.join(' ')} exited with code ${r.code}`);
    });
  }

  /** Resolves when every queued hook has finished, or after `ms`. */
  idle(ms: number): Promise<void> {
    return Promise.race([this.tail, new Promise<void>((r) => setTimeout(r, ms).unref())]);
  }
}
