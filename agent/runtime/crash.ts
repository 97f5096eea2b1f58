// Last-resort handler for a crash (uncaught exception, unhandled rejection): the VIPs must not stay on the
// interface while peers take over (two holders), so log, remove them synchronously, remove the socket, exit 1.
import { unlinkSync } from 'node:fs';

export interface CrashOptions {
  /** Removes this agent's VIPs synchronously (Runtime.releaseAddressesSync). */
  release: () => void;
  /** The control socket file to remove. */
  socketPath: string;
  write?: (line: string) => void;
  exit?: (code: number) => void;
  /** Leaves one line saying why for a supervisor (agent/runtime/supervise.ts); best effort. */
  lastWords?: (line: string) => void;
}

/** The handler itself (exported for tests); installCrashHandler hooks it to the process. */
export function crashHandler(o: CrashOptions): (what: string, err: unknown) => void {
  const write = o.write ?? ((l: string) => process.stderr.write(l));
  const exit = o.exit ?? ((c: number) => process.exit(c));
  let crashing = false;
  return (what, err) => {
    if (crashing) return; // a second failure while cleaning up: the first one exits
    crashing = true;
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    try {
      write(`carp-agent[${process.pid}]: crash (${what}): ${detail}\n  removing this agent's virtual addresses and exiting; peers take over\n`);
    } catch { /* stderr gone: still clean up */ }
    try { o.release(); } catch { /* best effort */ }
    try {
      o.lastWords?.(`crash (${what}): ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    } catch { /* best effort */ }
    try { unlinkSync(o.socketPath); } catch { /* already gone */ }
    exit(1);
  };
}

/** Installs the handler for uncaughtException and unhandledRejection; returns a function that removes it. */
export function installCrashHandler(o: CrashOptions): () => void {
  const h = crashHandler(o);
  const onException = (e: unknown) => h('uncaught exception', e);
  const onRejection = (e: unknown) => h('unhandled promise rejection', e);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
