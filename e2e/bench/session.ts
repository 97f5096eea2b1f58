// Lifecycle of what a benchmark creates (labs, capture processes, probes): one registry, so the
// runner can tear everything down in `finally` and on Ctrl-C / SIGTERM.
import { Lab } from '../lab/index.js';

type Cleanup = () => unknown; // may return a Promise: it is awaited

const cleanups = new Map<number, { what: string; fn: Cleanup }>();
let nextId = 1;

/** Registers a cleanup; returns a function that runs it once and unregisters it. */
export function onCleanup(what: string, fn: Cleanup): () => Promise<void> {
  const id = nextId++;
  cleanups.set(id, { what, fn });
  return async () => {
    if (!cleanups.delete(id)) return;
    await fn();
  };
}

/** Runs every registered cleanup, newest first; reports (never throws) what failed. */
export async function cleanupAll(log: (msg: string) => void = (m) => process.stderr.write(`${m}\n`)): Promise<void> {
  const all = [...cleanups.entries()].reverse();
  cleanups.clear();
  for (const [, c] of all) {
    try {
      await c.fn();
    } catch (e) {
      log(`bench: cleanup of ${c.what} failed: ${(e as Error).message}`);
    }
  }
}

/** Brings lab `id` up (after removing a leftover of a crashed run), runs `body`, always takes it down. */
export async function withLab<T>(id: number, hosts: number, body: (lab: Lab) => Promise<T>): Promise<T> {
  await Lab.down(id).catch(() => undefined);
  const lab = await Lab.up({ id, hosts });
  const down = onCleanup(`lab ${id}`, () => lab.down({ purge: true }));
  try {
    return await body(lab);
  } finally {
    await down();
  }
}

export { sleep, waitFor } from '../wait.js';
