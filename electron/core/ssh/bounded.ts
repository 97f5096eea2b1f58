// Bounded buffering of what a host sends: the collector of an exec's stdout+stderr and the line
// splitter of a line stream, each with a hard limit past which nothing more is kept.

/** stdout and stderr of one exec together: far above any command the console runs (a sha256sum list, a unit file). */
export const MAX_EXEC_OUTPUT_BYTES = 4 * 1024 * 1024;
/** One line of a line stream (the agent's JSON messages are a few KiB; a whole fleet snapshot well under this). */
export const MAX_LINE_BYTES = 1024 * 1024;
/** Lines a line stream holds for a reader that has not subscribed yet. */
export const MAX_PENDING_LINE_BYTES = 8 * 1024 * 1024;

/** "4 MiB", "512 KiB", "100 bytes". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** Collects stdout and stderr under one byte budget; once it is exceeded, it keeps nothing more. */
export class OutputCollector {
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];
  private used = 0;
  exceeded = false;

  constructor(readonly limit: number = MAX_EXEC_OUTPUT_BYTES) {}

  /** Adds a chunk; returns false (and drops everything) when the total would pass the limit. */
  push(which: 'stdout' | 'stderr', d: Buffer): boolean {
    if (this.exceeded) return false;
    if (this.used + d.length > this.limit) {
      this.exceeded = true;
      this.out.length = 0;
      this.err.length = 0;
      return false;
    }
    this.used += d.length;
    (which === 'stdout' ? this.out : this.err).push(d);
    return true;
  }

  get bytes(): number {
    return this.used;
  }

  stdout(): string {
    return Buffer.concat(this.out).toString('utf8');
  }

  stderr(): string {
    return Buffer.concat(this.err).toString('utf8');
  }
}

/** Splits a byte stream into lines (without \n or \r\n), refusing a line longer than `maxLine` bytes. */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Set once a line passed the limit: the splitter keeps nothing more. */
  overflowed = false;

  constructor(readonly maxLine: number = MAX_LINE_BYTES) {}

  /** The complete lines in this chunk; `overflow` when a line passed the limit (the lines before it still count). */
  push(d: Buffer): { lines: string[]; overflow: boolean } {
    const lines: string[] = [];
    if (this.overflowed) return { lines, overflow: true };
    let start = 0;
    for (;;) {
      const nl = d.indexOf(0x0a, start);
      const end = nl < 0 ? d.length : nl;
      if (this.partBytes + (end - start) > this.maxLine) {
        this.overflowed = true;
        this.parts = [];
        this.partBytes = 0;
        return { lines, overflow: true };
      }
      if (nl < 0) {
        if (end > start) {
          this.parts.push(d.subarray(start));
          this.partBytes += end - start;
        }
        return { lines, overflow: false };
      }
      const line = this.parts.length ? Buffer.concat([...this.parts, d.subarray(start, nl)]) : d.subarray(start, nl);
      this.parts = [];
      this.partBytes = 0;
      lines.push(line.toString('utf8').replace(/\r$/, ''));
      start = nl + 1;
    }
  }

  /** The last, unterminated line, if any (at the end of the stream). */
  end(): string | undefined {
    if (this.overflowed || !this.partBytes) return undefined;
    const rest = Buffer.concat(this.parts).toString('utf8').replace(/\r$/, '');
    this.parts = [];
    this.partBytes = 0;
    return rest;
  }
}
