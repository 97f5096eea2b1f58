// Reads a text file that came from outside (config, inventory, group file) with a size limit checked
// before anything is read: a huge file, a device or a FIFO is refused with a message, never loaded.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The file is larger than the limit, or not a regular file; `message` names the file and what to do. */
export class FileTooLargeError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'FileTooLargeError';
  }
}

/** "64 KiB", "1 MiB": limits as a person reads them. */
export function formatBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/**
 * The file's text (UTF-8), at most `maxBytes`. fs errors (ENOENT, EACCES, …) are thrown as they are,
 * so callers keep telling "missing" from "unreadable"; too large or not a file is FileTooLargeError.
 */
export function readBoundedText(path: string, maxBytes: number, what = 'the file'): string {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FileTooLargeError(path, `${path} is not a regular file; ${what} must be one`);
    if (st.size > maxBytes) {
      throw new FileTooLargeError(path, `${path} is ${st.size} bytes, more than the ${formatBytes(maxBytes)} ${what} may have; is it the right file?`);
    }
    // Read to the end but never past maxBytes + 1: a file that grows while it is read is still caught.
    const parts: Buffer[] = [];
    let got = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - got));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      parts.push(chunk.subarray(0, n));
      got += n;
      if (got > maxBytes) throw new FileTooLargeError(path, `${path} grew past the ${formatBytes(maxBytes)} ${what} may have while it was read`);
    }
    return Buffer.concat(parts, got).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
