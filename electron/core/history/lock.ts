// One console per history folder: a `lock` file holding the owner's pid, created atomically (link of a
// written temporary file); a lock whose pid is dead (a crash) is taken over. I/O at the edge, no deps.
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'lock';

/** Another running console holds the folder: `pid` is its process id. */
export class HistoryLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `the history folder ${dir} is in use by another console (pid ${pid}): this console runs without history. ` +
        `Stop that console (kill ${pid}) and restart this one, or give this one its own data folder (set XDG_DATA_HOME to another directory).`,
    );
    this.name = 'HistoryLockedError';
  }
}

export interface DirLock {
  readonly file: string;
  /** Whether a dead owner's lock was taken over. */
  readonly tookOver: boolean;
  release(): void;
}

/** Folders this process holds (a second open in the same process is refused too). */
const held = new Set<string>();

/** Whether process `pid` exists (EPERM: it does, owned by someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holder(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Takes the lock on `dir` (which must exist) or throws HistoryLockedError naming the holder. A lock left by
 * a dead process, by an earlier open of this process that was closed, or unreadable, is taken over.
 */
export function lockDir(dir: string, alive: (pid: number) => boolean = pidAlive): DirLock {
  const file = join(dir, LOCK_FILE);
  const tmp = join(dir, `.lock-${process.pid}-${Date.now()}`);
  writeFileSync(tmp, `${process.pid}\n`, { mode: 0o600 });
  let tookOver = false;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw e;
      }
      const pid = holder(file);
      const live = pid !== null && (pid === process.pid ? held.has(file) : alive(pid));
      if (live) throw new HistoryLockedError(dir, pid);
      // stale: its owner is gone; remove it and try again (a racing console may win: then it is live)
      try {
        unlinkSync(file);
      } catch {
        /* someone else removed it */
      }
      tookOver = true;
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* gone */
    }
  }
  held.add(file);
  let released = false;
  return {
    file,
    tookOver,
    release() {
      if (released) return;
      released = true;
      held.delete(file);
      // only our own lock: a console that took over a lock it thought stale must keep its own
      if (holder(file) === process.pid) {
        try {
          unlinkSync(file);
        } catch {
          /* gone */
        }
      }
    },
  };
}
