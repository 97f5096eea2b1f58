// Link-layer helpers: the CARP virtual MAC and the gratuitous ARP a new master broadcasts (docs/protocol.md §7).
import { ipToBuffer } from './ip.js';

/** 00:00:5e:00:01:vhid, the IPv4 virtual router MAC block shared with VRRP. */
export function virtualMac(vhid: number): Buffer {
  if (!Number.isInteger(vhid) || vhid < 1 || vhid > 255) throw new RangeError(`vhid ${vhid} must be an integer 1..255`);
  return Buffer.from([0x00, 0x00, 0x5e, 0x00, 0x01, vhid]);
}

/** "aa:bb:cc:dd:ee:ff" -> 6 bytes. */
export function macFromString(mac: string): Buffer {
  const parts = mac.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new Error(`"${mac}" is not a MAC address such as 02:00:00:00:00:01`);
  }
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

/**
 * The 42-byte Ethernet frame of a gratuitous ARP as ucarp sends it: destination broadcast, ARP
 * request, sender and target hardware address = senderMac, sender and target IP = the VIP.
 */
export function encodeGratuitousArp(o: { senderMac: Buffer; ip: string }): Buffer {
  if (o.senderMac.length !== 6) throw new RangeError(`senderMac must be 6 bytes, got ${o.senderMac.length}`);
  const ip = ipToBuffer(o.ip);
  const f = Buffer.alloc(42);
  f.fill(0xff, 0, 6); // Ethernet destination: broadcast
  o.senderMac.copy(f, 6);
  f.writeUInt16BE(0x0806, 12); // EtherType ARP
  f.writeUInt16BE(1, 14); // hardware type Ethernet
  f.writeUInt16BE(0x0800, 16); // protocol type IPv4
  f[18] = 6;
  f[19] = 4;
  f.writeUInt16BE(1, 20); // request
  o.senderMac.copy(f, 22);
  ip.copy(f, 28);
  o.senderMac.copy(f, 32);
  ip.copy(f, 38);
  return f;
}

/** An ARP request as the balanced responder reads it (Ethernet + ARP for IPv4); null for anything else. */
export interface ArpRequest {
  senderMac: Buffer;
  senderIp: string;
  targetIp: string;
}

const ipAt = (f: Buffer, at: number) => `${f[at]}.${f[at + 1]}.${f[at + 2]}.${f[at + 3]}`;

/** Reads an Ethernet frame carrying an ARP request for an IPv4 address; null when it is not one. */
export function decodeArpRequest(frame: Buffer): ArpRequest | null {
  if (frame.length < 42 || frame.readUInt16BE(12) !== 0x0806) return null;
  if (frame.readUInt16BE(14) !== 1 || frame.readUInt16BE(16) !== 0x0800 || frame[18] !== 6 || frame[19] !== 4) return null;
  if (frame.readUInt16BE(20) !== 1) return null;
  return { senderMac: Buffer.from(frame.subarray(22, 28)), senderIp: ipAt(frame, 28), targetIp: ipAt(frame, 38) };
}

/**
 * The 42-byte ARP reply a balanced vhid's master sends to one client: unicast to the requester, from
 * the vhid's virtual MAC, saying "`ip` is at `mac`".
 */
export function encodeArpReply(o: { mac: Buffer; ip: string; to: ArpRequest }): Buffer {
  if (o.mac.length !== 6) throw new RangeError(`mac must be 6 bytes, got ${o.mac.length}`);
  const f = Buffer.alloc(42);
  o.to.senderMac.copy(f, 0);
  o.mac.copy(f, 6);
  f.writeUInt16BE(0x0806, 12);
  f.writeUInt16BE(1, 14);
  f.writeUInt16BE(0x0800, 16);
  f[18] = 6;
  f[19] = 4;
  f.writeUInt16BE(2, 20); // reply
  o.mac.copy(f, 22);
  ipToBuffer(o.ip).copy(f, 28);
  o.to.senderMac.copy(f, 32);
  ipToBuffer(o.to.senderIp).copy(f, 38);
  return f;
}

/** 01:00:5e:00:00:12, the Ethernet multicast address of 224.0.0.18. */
const CARP_GROUP_MAC = Buffer.from([0x01, 0x00, 0x5e, 0x00, 0x00, 0x12]);

/** An advert (a full IPv4 packet, encodeIpPacket) as an Ethernet frame from `srcMac` to 224.0.0.18's MAC. */
export function encodeEtherFrame(srcMac: Buffer, ipPacket: Buffer): Buffer {
  const f = Buffer.alloc(14 + ipPacket.length);
  CARP_GROUP_MAC.copy(f, 0);
  srcMac.copy(f, 6);
  f.writeUInt16BE(0x0800, 12);
  ipPacket.copy(f, 14);
  return f;
}
