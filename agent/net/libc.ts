// koffi bindings to the few libc calls the agent's network edge needs (sockets, ioctl-free).
// Loaded lazily so that pure code and unit tests never need the native module.
import { createRequire } from 'node:module';
import type * as KoffiNs from 'koffi';
import { ipToBuffer } from '../protocol/index.js';

type Koffi = typeof KoffiNs;

export const AF_INET = 2;
export const AF_PACKET = 17;
export const AF_NETLINK = 16;
export const SOCK_RAW = 3;
export const SOCK_CLOEXEC = 0o2000000;
export const IPPROTO_IP = 0;
export const SOL_SOCKET = 1;
export const SO_BINDTODEVICE = 25;
export const IP_TOS = 1;
export const IP_MULTICAST_IF = 32;
export const IP_MULTICAST_TTL = 33;
export const IP_MULTICAST_LOOP = 34;
export const IP_ADD_MEMBERSHIP = 35;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const O_NONBLOCK = 0o4000;
export const MSG_DONTWAIT = 0x40;
export const ETH_P_ARP = 0x0806;
export const NETLINK_ROUTE = 0;

export interface Libc {
  koffi: Koffi;
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  fcntl(fd: number, cmd: number, arg: number): number;
  recv(fd: number, buf: Buffer, len: number, flags: number): number;
  sendto(fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, addrlen: number): number;
  bind(fd: number, addr: Buffer, addrlen: number): number;
  close(fd: number): number;
  if_nametoindex(name: string): number;
  errno(): number;
  strerror(code: number): string;
}

let cached: Libc | null = null;

/** Loads koffi and libc once; throws a clear error when the native module is missing. */
export function libc(): Libc {
  if (cached) return cached;
  // ESM under tsx has import.meta.url; the CommonJS bundle has __filename (koffi ships beside it).
  const metaUrl = (import.meta as { url?: string }).url;
  const require = createRequire(metaUrl ?? __filename);
  let koffi: Koffi;
  try {
    koffi = require('koffi') as Koffi;
  } catch (e) {
    throw new Error(
      `cannot load the koffi native module (${(e as Error).message}); ship node_modules/koffi and the ` +
        `@koromix/koffi-${process.platform}-${process.arch} package next to carp-agent.js`,
    );
  }
  const lib = koffi.load(process.platform === 'linux' ? 'libc.so.6' : 'libc.so');
  const strerror = lib.func('const char *strerror(int)');
  cached = {
    koffi,
    socket: lib.func('int socket(int, int, int)'),
    setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)'),
    fcntl: lib.func('int fcntl(int, int, int)'),
    recv: lib.func('intptr_t recv(int, _Out_ void *, size_t, int)'),
    sendto: lib.func('intptr_t sendto(int, const void *, size_t, int, const void *, uint32_t)'),
    bind: lib.func('int bind(int, const void *, uint32_t)'),
    close: lib.func('int close(int)'),
    if_nametoindex: lib.func('unsigned int if_nametoindex(const char *)'),
    errno: () => koffi.errno(),
    strerror: (code: number) => String(strerror(code)),
  };
  return cached;
}

/** The errno value for EAGAIN/EWOULDBLOCK on this platform. */
export function eagain(): number {
  return libc().koffi.os.errno.EAGAIN ?? 11;
}

/** Throws `what: strerror(errno)` when a libc call returned a negative value. */
export function check(rc: number, what: string): number {
  if (rc < 0) {
    const c = libc();
    const e = c.errno();
    throw new Error(`${what} failed: ${c.strerror(e)} (errno ${e})`);
  }
  return rc;
}

export function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return b;
}

/** struct sockaddr_in for `ip` (port 0). */
export function sockaddrIn(ip: string): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(AF_INET, 0);
  ipToBuffer(ip).copy(b, 4);
  return b;
}

/** Makes fd non-blocking. */
export function setNonBlocking(fd: number): void {
  const c = libc();
  const fl = check(c.fcntl(fd, F_GETFL, 0), 'fcntl(F_GETFL)');
  check(c.fcntl(fd, F_SETFL, fl | O_NONBLOCK), 'fcntl(F_SETFL, O_NONBLOCK)');
}
