// Receives the ARP frames of one interface on an AF_PACKET socket (for the arpbalance responder,
// which answers ARP for balanced addresses itself), without blocking the event loop.
import { libc, check, eagain, setNonBlocking, AF_PACKET, SOCK_RAW, SOCK_CLOEXEC, ETH_P_ARP, MSG_DONTWAIT } from './libc.js';

export interface ArpListener {
  close(): void;
}

/** Calls `onFrame` with every ARP frame seen on `ifname` (both directions, as tcpdump sees them). */
export function listenArp(ifname: string, onFrame: (frame: Buffer) => void, onError?: (e: Error) => void): ArpListener {
  const c = libc();
  const ifindex = c.if_nametoindex(ifname);
  if (!ifindex) throw new Error(`cannot answer ARP on ${ifname}: the interface does not exist`);
  const proto = ((ETH_P_ARP & 0xff) << 8) | (ETH_P_ARP >> 8); // htons
  let fd = check(c.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, proto), 'socket(AF_PACKET, ETH_P_ARP) (are you root?)');
  let poller: { close(): void } | null = null;
  try {
    // struct sockaddr_ll: only family, protocol and ifindex matter for bind.
    const sll = Buffer.alloc(20);
    sll.writeUInt16LE(AF_PACKET, 0);
    sll.writeUInt16BE(ETH_P_ARP, 2);
    sll.writeInt32LE(ifindex, 4);
    check(c.bind(fd, sll, sll.length), `bind(AF_PACKET) to ${ifname}`);
    setNonBlocking(fd);
    const buf = Buffer.alloc(2048);
    poller = c.koffi.node.poll(fd, { readable: true }, () => {
      for (let i = 0; i < 1000 && fd >= 0; i++) {
        const n = Number(c.recv(fd, buf, buf.length, MSG_DONTWAIT));
        if (n < 0) {
          const e = c.errno();
          if (e !== eagain()) onError?.(new Error(`recv (ARP) on ${ifname}: ${c.strerror(e)}`));
          return;
        }
        try {
          onFrame(Buffer.from(buf.subarray(0, n)));
        } catch (e) {
          onError?.(e as Error);
        }
      }
    });
  } catch (e) {
    c.close(fd);
    throw e;
  }
  return {
    close() {
      if (fd < 0) return;
      poller?.close();
      c.close(fd);
      fd = -1;
    },
  };
}
