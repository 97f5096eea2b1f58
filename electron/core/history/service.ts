// The console's history service: the recorder's records and the operator's actions into the store,
// a "console alive" mark every minute (so a crash shows as a gap), and the read-only query.
import type { ConsoleEvent } from '../events.js';
import { createRecorder } from './recorder.js';
import { describeArgs } from './recorder.js';
import type { HistoryStore } from './store.js';
import type { HistoryPage, HistoryQuery } from './records.js';
import { ApiError } from '../api.js';

export const ALIVE_MS = 60_000;

export type HistoryOptions = {
  /** Who acts through this console ("root (web)"): recorded with each operator action. */
  who: string;
} & (
  | { store: HistoryStore }
  /** No history this run, and why (another console holds the folder, lock.ts): history() answers with it. */
  | { off: string }
);

export interface HistoryService {
  onEvent(e: ConsoleEvent): void;
  action(method: string, args: unknown[], at: number, error?: unknown): void;
  query(q: HistoryQuery): HistoryPage;
  close(): void;
}

export function startHistory(opts: HistoryOptions, now: () => number): HistoryService {
  if ('off' in opts) return historyOff(opts.off);
  const o = opts;
  const recorder = createRecorder();
  const write = (f: () => void) => {
    try {
      f();
    } catch (e) {
      // a full disk must not stop the console: the history says nothing for that moment
      process.stderr.write(`carp-console: cannot write the history in ${o.store.dir}: ${(e as Error).message}\n`);
    }
  };
  write(() => o.store.append([{ t: now(), kind: 'console', what: 'start' }]));
  const alive = setInterval(() => write(() => o.store.append([{ t: now(), kind: 'console', what: 'alive' }])), ALIVE_MS);
  alive.unref?.();
  let closed = false;
  return {
    onEvent: (e) => write(() => o.store.append(recorder.onEvent(e))),
    action(method, args, at, error) {
      write(() =>
        o.store.append([
          { t: at, kind: 'action', who: o.who, method, args: describeArgs(method, args), ...(typeof args[0] === 'string' ? { host: args[0] } : {}), ok: error === undefined, ...(error !== undefined ? { error: error instanceof Error ? error.message : JSON.stringify(error) } : {}) },
        ]),
      );
    },
    query: (q) => o.store.query(q),
    close() {
      if (closed) return;
      closed = true;
      clearInterval(alive);
      write(() => o.store.append([{ t: now(), kind: 'console', what: 'stop' }]));
      o.store.close();
    },
  };
}

/** The service of a console that keeps no history this run: records nothing, and history() says why. */
function historyOff(why: string): HistoryService {
  return {
    onEvent: () => undefined,
    action: () => undefined,
    query: () => {
      throw new ApiError('unavailable', why);
    },
    close: () => undefined,
  };
}
