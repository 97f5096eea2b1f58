// One raw IPv4 socket for protocol 112 on one interface: joins 224.0.0.18, sends adverts with
// TTL 255 / TOS 0x10 from the interface's address, and receives without blocking the event loop.
import {
  libc, check, eagain, int32, sockaddrIn, setNonBlocking,
  AF_INET, SOCK_RAW, SOCK_CLOEXEC, IPPROTO_IP, SOL_SOCKET, SO_BINDTODEVICE,
  IP_TOS, IP_MULTICAST_IF, IP_MULTICAST_TTL, IP_MULTICAST_LOOP, IP_ADD_MEMBERSHIP, MSG_DONTWAIT,
} from './libc.js';
import { ipToBuffer, CARP_GROUP, IPPROTO_CARP } from '../protocol/index.js';

/** struct ip_mreqn { in_addr multiaddr; in_addr address; int ifindex; } */
function mreqn(group: string, address: string, ifindex: number): Buffer {
  const b = Buffer.alloc(12);
  ipToBuffer(group).copy(b, 0);
  ipToBuffer(address).copy(b, 4);
  b.writeInt32LE(ifindex, 8);
  return b;
}

export interface CarpSocketOptions {
  interface: string;
  /** Source address of our adverts (the interface's own address). */
  srcip: string;
  /** Called with each received IPv4 packet (IP header + payload). */
  onPacket: (ip: Buffer) => void;
  onError?: (err: Error) => void;
}

export class CarpSocket {
  private fd: number;
  private poller: { close(): void } | null = null;
  private readonly rbuf = Buffer.alloc(4096);
  private readonly dst = sockaddrIn(CARP_GROUP);

  constructor(private readonly opts: CarpSocketOptions) {
    const c = libc();
    const ifindex = c.if_nametoindex(opts.interface);
    if (!ifindex) throw new Error(`interface ${opts.interface} does not exist (check "interface" in the config)`);
    this.fd = check(c.socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_CARP), 'socket(AF_INET, SOCK_RAW, 112) (are you root?)');
    try {
      const dev = Buffer.from(opts.interface + '\0');
      check(c.setsockopt(this.fd, SOL_SOCKET, SO_BINDTODEVICE, dev, dev.length), `SO_BINDTODEVICE ${opts.interface}`);
      check(c.setsockopt(this.fd, IPPROTO_IP, IP_MULTICAST_TTL, int32(255), 4), 'IP_MULTICAST_TTL 255');
      check(c.setsockopt(this.fd, IPPROTO_IP, IP_MULTICAST_LOOP, int32(0), 4), 'IP_MULTICAST_LOOP 0');
      check(c.setsockopt(this.fd, IPPROTO_IP, IP_TOS, int32(0x10), 4), 'IP_TOS 0x10');
      const m = mreqn(CARP_GROUP, opts.srcip, ifindex);
      check(c.setsockopt(this.fd, IPPROTO_IP, IP_MULTICAST_IF, m, m.length), `IP_MULTICAST_IF ${opts.srcip}`);
      check(c.setsockopt(this.fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, m, m.length), `IP_ADD_MEMBERSHIP 224.0.0.18 on ${opts.interface}`);
      setNonBlocking(this.fd);
      this.poller = c.koffi.node.poll(this.fd, { readable: true }, () => this.drain());
    } catch (e) {
      c.close(this.fd);
      this.fd = -1;
      throw e;
    }
  }

  /** Reads every queued packet (until EAGAIN). */
  private drain(): void {
    const c = libc();
    for (let i = 0; i < 1000 && this.fd >= 0; i++) {
      const n = c.recv(this.fd, this.rbuf, this.rbuf.length, MSG_DONTWAIT);
      if (n < 0) {
        const e = c.errno();
        if (e !== eagain()) this.opts.onError?.(new Error(`recv on ${this.opts.interface}: ${c.strerror(e)}`));
        return;
      }
      if (n === 0) return;
      const pkt = Buffer.from(this.rbuf.subarray(0, Number(n)));
      try {
        this.opts.onPacket(pkt);
      } catch (err) {
        this.opts.onError?.(err as Error);
      }
    }
  }

  /** Sends one CARP header (36 bytes); the kernel adds the IP header. Throws with errno on failure. */
  send(carp: Buffer): void {
    if (this.fd < 0) throw new Error(`CARP socket on ${this.opts.interface} is closed`);
    const c = libc();
    check(c.sendto(this.fd, carp, carp.length, MSG_DONTWAIT, this.dst, this.dst.length), `sendto 224.0.0.18 on ${this.opts.interface}`);
  }

  close(): void {
    if (this.fd < 0) return;
    this.poller?.close();
    this.poller = null;
    libc().close(this.fd);
    this.fd = -1;
  }
}
