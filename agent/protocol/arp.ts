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
