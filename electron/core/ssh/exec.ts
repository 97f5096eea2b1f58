// Exec channels on a connected client: opening one (retried while the server is at its session limit),
// a command run to completion with bounded output, and a long-lived line stream with bounded lines.
import type { Client, ClientChannel } from 'ssh2';
import type { ExecResult, LineChannel } from '../transport.js';
import { ConnectionClosedError, ExecTimeoutError, OutputLimitError, SshError } from './errors.js';
import { LineSplitter, MAX_EXEC_OUTPUT_BYTES, MAX_LINE_BYTES, MAX_PENDING_LINE_BYTES, OutputCollector, formatBytes } from './bounded.js';
import type { Semaphore } from './semaphore.js';

/** How often a refused channel open is retried (50, 100, 200, 400 ms apart) before it is an error. */
const CHANNEL_OPEN_RETRIES = 4;

/** How an exec channel ended, filled in when the host sends exit-status or exit-signal. */
export interface ExitInfo {
  status?: { code: number | null; signal?: string };
}

export interface ExecChannel {
  stream: ClientChannel;
  release: () => void;
  exit: ExitInfo;
}

/**
 * Opens an exec channel. The exit status is recorded synchronously in the exec callback: ssh2 emits
 * 'exit' while parsing, and when the output, exit-status and close arrive in the same read as the
 * channel's confirmation (typical through a jump host) a listener attached after an await misses it.
 */
export async function openExecChannel(getClient: () => Promise<Client>, sem: Semaphore, host: string, command: string, attempt = 0): Promise<ExecChannel> {
  const client = await getClient();
  const release = await sem.acquire();
  return new Promise((resolve, reject) => {
    try {
      client.exec(command, (err, stream) => {
        if (err) {
          release();
          // A server at its session limit (sshd MaxSessions, lower than ours or still freeing a session
          // we just closed) refuses the open: that passes, so wait a little and try again.
          if (attempt < CHANNEL_OPEN_RETRIES && /open failed/i.test(err.message)) {
            setTimeout(() => void openExecChannel(getClient, sem, host, command, attempt + 1).then(resolve, reject), 50 * 2 ** attempt);
            return;
          }
          return reject(new SshError(host, `${host}: cannot open a channel for "${command}": ${err.message}`));
        }
        let released = false;
        const exit: ExitInfo = {};
        stream.once('exit', (code: number | null, signal?: string) => {
          exit.status = { code, ...(signal ? { signal } : {}) };
        });
        resolve({
          stream,
          exit,
          release: () => {
            if (released) return;
            released = true;
            release();
          },
        });
      });
    } catch (e) {
      release();
      reject(new ConnectionClosedError(host, `${host}: connection closed before "${command}" could start: ${(e as Error).message}`));
    }
  });
}

/** Stops the remote command and closes the channel (its 'close' event still follows). */
function stop(stream: ClientChannel): void {
  try {
    stream.signal('KILL');
  } catch {
    // the channel may already be closing
  }
  stream.close();
}

/** Runs the command to its end; output past `maxOutput` bytes stops it and fails with OutputLimitError. */
export function runExec(
  host: string,
  command: string,
  { stream, release, exit }: ExecChannel,
  opts: { stdin?: string | Buffer; timeoutMs?: number; maxOutput?: number } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const output = new OutputCollector(opts.maxOutput ?? MAX_EXEC_OUTPUT_BYTES);
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          stop(stream);
        }, opts.timeoutMs)
      : undefined;
    // Past the limit the command fails at once: the host may take its time to close the channel (sshd
    // waits for every process holding the output open), and nothing it sends is kept meanwhile.
    let failed = false;
    const take = (which: 'stdout' | 'stderr') => (d: Buffer) => {
      if (output.exceeded || output.push(which, d)) return;
      stop(stream);
      failed = true;
      if (timer) clearTimeout(timer);
      reject(
        new OutputLimitError(
          host,
          `${host}: "${command}" sent more than ${formatBytes(output.limit)} of output (stdout and stderr together); the console stopped it and kept none of it; redirect its output to a file on the host if it must print that much`,
        ),
      );
    };
    stream.on('data', take('stdout'));
    stream.stderr.on('data', take('stderr'));
    stream.on('close', () => {
      if (timer) clearTimeout(timer);
      release();
      if (failed) return;
      if (timedOut) return reject(new ExecTimeoutError(host, `${host}: "${command}" did not finish within ${opts.timeoutMs} ms`));
      if (!exit.status) return reject(new ConnectionClosedError(host, `${host}: connection lost while running "${command}"`));
      const { code, signal } = exit.status;
      const stdout = output.stdout();
      const stderr = output.stderr();
      resolve(signal ? { code, signal, stdout, stderr } : { code, stdout, stderr });
    });
    if (opts.stdin !== undefined) stream.end(opts.stdin);
    else stream.end();
  });
}

/** A line stream over an exec channel: a line longer than `maxLine` bytes closes it with OutputLimitError. */
export function lineChannel(host: string, command: string, { stream, release, exit: exitInfo }: ExecChannel, maxLine = MAX_LINE_BYTES): LineChannel {
  let lineCbs: ((l: string) => void)[] = [];
  let closeCbs: ((e?: Error) => void)[] = [];
  const pendingLines: string[] = [];
  let pendingBytes = 0;
  let closed: { err?: Error } | undefined;
  const splitter = new LineSplitter(maxLine);
  let stderrTail = '';
  let closedByUs = false;
  let limitError: OutputLimitError | undefined;
  const finish = (err?: Error) => {
    if (closed) return;
    closed = { err };
    const cbs = closeCbs;
    closeCbs = [];
    cbs.forEach((cb) => cb(err));
  };
  // Past the limit the channel is closed at once for its reader, without waiting for the host to close
  // it (sshd waits for every process holding the output open); nothing more it sends is kept.
  const overflow = (what: string) => {
    if (limitError) return;
    limitError = new OutputLimitError(host, `${host}: "${command}" ${what}; the console closed the channel and kept none of it; the host is not speaking the expected protocol (check what runs there)`);
    lineCbs = [];
    pendingLines.length = 0;
    stop(stream);
    finish(limitError);
  };
  const emitLine = (l: string) => {
    if (lineCbs.length) return lineCbs.forEach((cb) => cb(l));
    pendingBytes += l.length;
    if (pendingBytes > MAX_PENDING_LINE_BYTES) return overflow(`sent more than ${formatBytes(MAX_PENDING_LINE_BYTES)} before anyone read it`);
    pendingLines.push(l);
  };
  stream.on('data', (d: Buffer) => {
    if (limitError) return;
    const { lines, overflow: over } = splitter.push(d);
    for (const l of lines) if (!limitError) emitLine(l);
    if (over) overflow(`sent a line longer than ${formatBytes(maxLine)}`);
  });
  stream.stderr.on('data', (d: Buffer) => (stderrTail = (stderrTail + d.toString('utf8')).slice(-2000)));
  stream.on('close', () => {
    release();
    if (closed) return;
    const rest = splitter.end();
    if (rest) emitLine(rest);
    let err: Error | undefined;
    const exit = exitInfo.status;
    if (!closedByUs) {
      const why = stderrTail.trim() ? `: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` : '';
      if (!exit) err = new ConnectionClosedError(host, `${host}: channel "${command}" closed without an exit status (connection lost?)${why}`);
      else if (exit.signal) err = new SshError(host, `${host}: "${command}" was killed by ${exit.signal}${why}`);
      else if (exit.code !== 0) err = new SshError(host, `${host}: "${command}" exited with code ${exit.code}${why}`);
    }
    finish(err);
  });
  return {
    onLine(cb) {
      if (limitError) return;
      lineCbs.push(cb);
      if (pendingLines.length) pendingLines.splice(0).forEach((l) => cb(l));
      pendingBytes = 0;
    },
    onClose(cb) {
      if (closed) queueMicrotask(() => cb(closed!.err));
      else closeCbs.push(cb);
    },
    write(line) {
      if (!closed) stream.write(line.endsWith('\n') ? line : line + '\n');
    },
    close() {
      if (closed) return;
      closedByUs = true;
      lineCbs = [];
      stream.end();
      stream.close();
    },
  };
}
