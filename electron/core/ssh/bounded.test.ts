// Bounded input: the line splitter and the exec collector against a flooding stream, and the exec and
// line channels over a fake ssh2 channel: the command is stopped and fails naming the host and the limit.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ClientChannel } from 'ssh2';
import { LineSplitter, MAX_EXEC_OUTPUT_BYTES, MAX_LINE_BYTES, OutputCollector, formatBytes } from './bounded.js';
import { lineChannel, runExec, type ExecChannel } from './exec.js';
import { OutputLimitError } from './errors.js';

describe('LineSplitter', () => {
  it('splits lines across chunks, drops \\r of CRLF, keeps the unterminated rest for the end', () => {
    const s = new LineSplitter(100);
    expect(s.push(Buffer.from('{"a":1}\n{"b"'))).toEqual({ lines: ['{"a":1}'], overflow: false });
    expect(s.push(Buffer.from(':2}\r\nx\ny'))).toEqual({ lines: ['{"b":2}', 'x'], overflow: false });
    expect(s.end()).toBe('y');
    expect(s.end()).toBeUndefined();
  });

  it('keeps multi-byte characters split across chunks intact', () => {
    const s = new LineSplitter(100);
    const b = Buffer.from('né\n');
    expect(s.push(b.subarray(0, 2)).lines).toEqual([]);
    expect(s.push(b.subarray(2)).lines).toEqual(['né']);
  });

  it('a flood without newlines overflows at the limit and keeps nothing after it', () => {
    const s = new LineSplitter(1024);
    const chunk = Buffer.alloc(300, 'y');
    const results = [1, 2, 3, 4, 5].map(() => s.push(chunk));
    expect(results.map((r) => r.overflow)).toEqual([false, false, false, true, true]);
    expect(s.overflowed).toBe(true);
    expect(s.end()).toBeUndefined();
  });

  it('a line exactly at the limit passes, one byte more does not; lines before the long one are kept', () => {
    expect(new LineSplitter(4).push(Buffer.from('abcd\n'))).toEqual({ lines: ['abcd'], overflow: false });
    expect(new LineSplitter(4).push(Buffer.from('ok\nabcde\n'))).toEqual({ lines: ['ok'], overflow: true });
  });
});

describe('OutputCollector', () => {
  it('counts stdout and stderr against one budget and drops everything once it is exceeded', () => {
    const c = new OutputCollector(10);
    expect(c.push('stdout', Buffer.from('12345'))).toBe(true);
    expect(c.push('stderr', Buffer.from('12345'))).toBe(true);
    expect(c.stdout() + c.stderr()).toBe('1234512345');
    expect(c.push('stdout', Buffer.from('x'))).toBe(false);
    expect(c.exceeded).toBe(true);
    expect(c.push('stdout', Buffer.from('x'))).toBe(false);
    expect(c.stdout()).toBe('');
  });
  it('the limits are named and sane', () => {
    expect(formatBytes(MAX_EXEC_OUTPUT_BYTES)).toBe('4 MiB');
    expect(formatBytes(MAX_LINE_BYTES)).toBe('1 MiB');
  });
});

/** A stand-in for ssh2's exec channel that floods stdout until it is closed. */
class FloodChannel extends EventEmitter {
  stderr = new EventEmitter();
  signals: string[] = [];
  closed = false;
  sent = 0;
  /** false: like sshd while a process still holds the output open, the close is never confirmed. */
  constructor(private readonly confirmsClose = true) {
    super();
  }
  signal(s: string) {
    this.signals.push(s);
  }
  close() {
    if (this.closed) return;
    this.closed = true;
    if (this.confirmsClose) setImmediate(() => this.emit('close'));
  }
  end() {}
  write() {
    return true;
  }
  /** Sends `chunk` until closed or `max` bytes, yielding to the event loop between chunks like a socket. */
  async flood(chunk: Buffer, max: number) {
    while (!this.closed && this.sent < max) {
      this.emit('data', chunk);
      this.sent += chunk.length;
      await new Promise((r) => setImmediate(r));
    }
  }
}

const channel = (s: FloodChannel): ExecChannel & { released: () => boolean } => {
  let released = false;
  return { stream: s as unknown as ClientChannel, exit: {}, release: () => (released = true), released: () => released };
};

describe('exec and line channels under a flood', () => {
  it('exec: output past the limit stops the command (KILL, close) and fails at once naming the host and the limit', async () => {
    // The host never confirms the close: the failure must not wait for it.
    const s = new FloodChannel(false);
    const ch = channel(s);
    const p = runExec('fw1', 'yes', ch, { maxOutput: 256 * 1024 });
    void s.flood(Buffer.alloc(64 * 1024, 'y'), 50 * 1024 * 1024);
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputLimitError);
    expect((err as Error).message).toMatch(/^fw1: "yes" sent more than 256 KiB of output \(stdout and stderr together\); the console stopped it/);
    expect(s.signals).toEqual(['KILL']);
    expect(s.closed).toBe(true);
    // The channel slot is given back when the host really closes the channel.
    expect(ch.released()).toBe(false);
    s.emit('close');
    expect(ch.released()).toBe(true);
    // It stopped soon after the limit, not after the 50 MiB the host would have sent.
    expect(s.sent).toBeLessThan(512 * 1024);
  });

  it('exec: output within the limit is returned whole', async () => {
    const s = new FloodChannel();
    const ch = channel(s);
    const p = runExec('fw1', 'echo', ch, { maxOutput: 100 });
    s.emit('data', Buffer.from('hello\n'));
    ch.exit.status = { code: 0 };
    s.close();
    expect(await p).toEqual({ code: 0, stdout: 'hello\n', stderr: '' });
  });

  it('line stream: a line longer than the limit closes the channel with OutputLimitError; earlier lines arrive', async () => {
    const s = new FloodChannel(false);
    const lc = lineChannel('fw2', 'carp-agent attach', channel(s), 64 * 1024);
    const lines: string[] = [];
    lc.onLine((l) => lines.push(l));
    const closed = new Promise<Error | undefined>((r) => lc.onClose(r));
    s.emit('data', Buffer.from('{"hello":1}\n'));
    void s.flood(Buffer.alloc(16 * 1024, 'x'), 50 * 1024 * 1024);
    const err = await closed;
    expect(lines).toEqual(['{"hello":1}']);
    expect(err).toBeInstanceOf(OutputLimitError);
    expect(err!.message).toMatch(/^fw2: "carp-agent attach" sent a line longer than 64 KiB; the console closed the channel/);
    expect(s.sent).toBeLessThan(128 * 1024);
  });
});
