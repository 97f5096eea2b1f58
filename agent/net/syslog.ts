// The syslog edge: one unix datagram socket to /dev/log (Node has no datagram unix sockets; koffi's
// socket/sendto do it, as glibc's syslog(3) does), non-blocking: a message the daemon cannot take now
// (EAGAIN, syslogd gone) is written to stderr instead, never waited for.
import { existsSync } from 'node:fs';
import { libc, SOCK_CLOEXEC, O_NONBLOCK, MSG_DONTWAIT } from './libc.js';
import { streamSink, syslogDatagram, type LogSink } from '../runtime/log.js';

export const DEFAULT_SYSLOG_PATH = '/dev/log';
/** Overrides /dev/log (a syslog daemon listening elsewhere; the lab's tests). */
export const ENV_SYSLOG_SOCKET = 'CARP_AGENT_SYSLOG_SOCKET';
const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SUN_PATH_MAX = 108;

/** struct sockaddr_un for `path`. */
export function sockaddrUn(path: string): Buffer {
  const p = Buffer.from(path);
  if (p.length >= SUN_PATH_MAX) throw new Error(`syslog socket path ${path} is longer than ${SUN_PATH_MAX - 1} bytes`);
  const b = Buffer.alloc(2 + SUN_PATH_MAX);
  b.writeUInt16LE(AF_UNIX, 0);
  p.copy(b, 2);
  return b;
}

/**
 * A sink that sends each message to the syslog socket at `path`, facility daemon; null when there is no
 * socket there or it cannot be opened (the caller logs to stderr then). A send that fails goes to `fallback`.
 */
export function syslogSink(path: string, fallback: LogSink = streamSink()): LogSink | null {
  if (!existsSync(path)) return null;
  let fd: number;
  let addr: Buffer;
  try {
    const c = libc();
    addr = sockaddrUn(path);
    fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | O_NONBLOCK, 0);
    if (fd < 0) return null;
  } catch {
    return null;
  }
  return (severity, msg) => {
    const data = Buffer.from(syslogDatagram(severity, msg));
    if (libc().sendto(fd, data, data.length, MSG_DONTWAIT, addr, addr.length) < 0) fallback(severity, msg);
  };
}

/** Where the agent logs: syslog when its socket exists ($CARP_AGENT_SYSLOG_SOCKET, else /dev/log), else stderr. */
export function agentLogSink(env: NodeJS.ProcessEnv = process.env): { sink: LogSink; where: string } {
  const path = env[ENV_SYSLOG_SOCKET] || DEFAULT_SYSLOG_PATH;
  const s = syslogSink(path);
  return s ? { sink: s, where: `syslog (${path}, facility daemon)` } : { sink: streamSink(), where: 'stderr' };
}
