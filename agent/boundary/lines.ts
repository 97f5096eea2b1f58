// A bounded line splitter for byte streams (the control socket, the CLI client): complete lines
// are handed on as UTF-8 strings; a line longer than the limit is never accumulated. Splitting at
// the newline byte is safe for UTF-8 (0x0a is never part of a multi-byte character).

export interface LineReaderHandlers {
  line(line: string): void;
  /** A line passed `maxBytes` (also: a peer that never sends a newline); its bytes so far are dropped. */
  tooLong(bytes: number): void;
}

export class LineReader {
  private parts: Buffer[] = [];
  private size = 0;
  /** Inside a line that was too long: drop bytes until its newline. */
  private skipping = false;

  constructor(
    readonly maxBytes: number,
    private readonly on: LineReaderHandlers,
  ) {}

  push(chunk: Buffer | string): void {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (;;) {
      const nl = buf.indexOf(0x0a);
      const end = nl < 0 ? buf.length : nl;
      if (!this.skipping) {
        if (this.size + end > this.maxBytes) {
          const bytes = this.size + end;
          this.parts = [];
          this.size = 0;
          this.skipping = true;
          this.on.tooLong(bytes);
        } else if (nl >= 0) {
          const line = Buffer.concat([...this.parts, buf.subarray(0, nl)]).toString('utf8');
          this.parts = [];
          this.size = 0;
          this.on.line(line.endsWith('\r') ? line.slice(0, -1) : line);
        } else if (end > 0) {
          this.parts.push(buf);
          this.size += end;
        }
      }
      if (nl < 0) return;
      this.skipping = false;
      buf = buf.subarray(nl + 1);
    }
  }

  /** Bytes held for the line not yet ended. */
  pending(): number {
    return this.size;
  }
}
