// Atomic file replacement: write a temp file beside the target, fsync it, rename over, fsync the folder.
// Files and the folders created for them are private to root whatever umask the agent inherited:
// the mode is given on open and set again with fchmod (umask only ever removes bits, a file that was
// there keeps its mode), and folders this creates get 0700.
import { openSync, writeSync, fsyncSync, fchmodSync, closeSync, renameSync, mkdirSync, chmodSync, unlinkSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';

/** Mode of the files the agent writes (config, its .prev, state, supervisor record, exit reason). */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of the folders it creates for them. */
export const PRIVATE_DIR_MODE = 0o700;

/** mkdir -p, with every folder it creates (not those already there) set to 0700. */
export function mkdirPrivate(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first === undefined) return;
  // chmod from the first folder created down to `dir`: the umask may have taken bits off (never added)
  const top = resolve(first);
  for (let d = resolve(dir); ; d = dirname(d)) {
    chmodSync(d, PRIVATE_DIR_MODE);
    if (d === top || dirname(d) === d) break;
  }
}

export function atomicWriteFile(path: string, data: string | Buffer, mode = PRIVATE_FILE_MODE): void {
  const dir = dirname(path);
  mkdirPrivate(dir);
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  // 'wx': never write through a file (or a symlink) someone put at the temp name
  const fd = openSync(tmp, 'wx', mode);
  try {
    fchmodSync(fd, mode);
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  try {
    const dfd = openSync(dir, 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* some filesystems refuse fsync on a folder; the rename is still atomic */ }
}
