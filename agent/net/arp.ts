// Sends a prepared Ethernet frame (gratuitous ARP) out of one interface via an AF_PACKET socket.
import { libc, check, AF_PACKET, SOCK_RAW, SOCK_CLOEXEC, ETH_P_ARP } from './libc.js';

/** Sends `frame` (a full Ethernet frame with destination ff:ff:ff:ff:ff:ff) on `ifname`. */
export function sendFrame(ifname: string, frame: Buffer): void {
  const c = libc();
  const ifindex = c.if_nametoindex(ifname);
  if (!ifindex) throw new Error(`cannot send ARP: interface ${ifname} does not exist`);
  // protocol 0: this socket receives nothing.
  const fd = check(c.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), 'socket(AF_PACKET) (are you root?)');
  try {
    // struct sockaddr_ll
    const sll = Buffer.alloc(20);
    sll.writeUInt16LE(AF_PACKET, 0);
    sll.writeUInt16BE(ETH_P_ARP, 2);
    sll.writeInt32LE(ifindex, 4);
    sll.writeUInt16LE(1, 8); // ARPHRD_ETHER
    sll.writeUInt8(0, 10);
    sll.writeUInt8(6, 11);
    frame.copy(sll, 12, 0, 6);
    check(Number(c.sendto(fd, frame, frame.length, 0, sll, sll.length)), `sendto (ARP) on ${ifname}`);
  } finally {
    c.close(fd);
  }
}
