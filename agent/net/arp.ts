// Sends a prepared Ethernet frame (gratuitous ARP, an ARP reply, an advert from a virtual MAC) out of
// one interface via an AF_PACKET socket.
import { libc, check, AF_PACKET, SOCK_RAW, SOCK_CLOEXEC, ETH_P_ARP } from './libc.js';

/**
 * One AF_PACKET socket for the process, opened on first use and kept: closing one waits for an RCU
 * grace period in the kernel (packet_release -> synchronize_net, 10-20 ms), which would block the event
 * loop on every frame — a master re-announces its addresses on every advert from a worse master, so a
 * stream of such adverts (or one captured advert replayed) would stall it until it stops advertising.
 * Protocol 0: the socket receives nothing, so keeping it open costs nothing.
 */
let fd = -1;

/** Sends `frame` (a full Ethernet frame: destination, source, EtherType, payload) on `ifname`. */
export function sendFrame(ifname: string, frame: Buffer): void {
  const c = libc();
  const ifindex = c.if_nametoindex(ifname);
  if (!ifindex) throw new Error(`cannot send on ${ifname}: the interface does not exist`);
  if (fd < 0) fd = check(c.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), 'socket(AF_PACKET) (are you root?)');
  // struct sockaddr_ll
  const sll = Buffer.alloc(20);
  sll.writeUInt16LE(AF_PACKET, 0);
  sll.writeUInt16BE(frame.length >= 14 ? frame.readUInt16BE(12) : ETH_P_ARP, 2);
  sll.writeInt32LE(ifindex, 4);
  sll.writeUInt16LE(1, 8); // ARPHRD_ETHER
  sll.writeUInt8(0, 10);
  sll.writeUInt8(6, 11);
  frame.copy(sll, 12, 0, 6);
  try {
    check(Number(c.sendto(fd, frame, frame.length, 0, sll, sll.length)), `sendto (frame) on ${ifname}`);
  } catch (e) {
    // A socket in a bad state is not kept: the next frame opens a fresh one.
    c.close(fd);
    fd = -1;
    throw e;
  }
}
