// The virtual MAC of a balanced vhid (arpbalance) as a macvlan on the parent interface, created and
// deleted through rtnetlink (RTM_NEWLINK/RTM_DELLINK) as keepalived does for its virtual MACs.
import { readdirSync, readFileSync } from 'node:fs';
import { libc } from './libc.js';
import { request, nextSeq } from './netlink.js';

const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_LINK = 5;
const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const IFLA_MACVLAN_MODE = 1;
/**
 * MACVLAN_MODE_VEPA: the macvlan talks to the wire only. Not PRIVATE: in that mode the kernel takes a
 * multicast frame whose source is one of the host's own macvlans for its own, reflected, and hands it to
 * that macvlan alone; a peer's advert from the same virtual MAC (both briefly MASTER of the vhid) would
 * never reach the interface, and the two would stay MASTER for ever.
 */
const MACVLAN_MODE_VEPA = 2;
const IFF_UP = 0x1;
const IFF_NOARP = 0x80;
const EEXIST = 17;
const ENODEV = 19;

const align4 = (n: number) => (n + 3) & ~3;

/** One rtattr: type, payload, padded to 4 bytes. */
function attr(type: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(align4(4 + payload.length));
  b.writeUInt16LE(4 + payload.length, 0);
  b.writeUInt16LE(type, 2);
  payload.copy(b, 4);
  return b;
}

const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};

/** nlmsghdr + ifinfomsg + attributes. */
function linkMessage(type: number, flags: number, ifflags: number, attrs: Buffer[], sequence: number): Buffer {
  const body = Buffer.concat(attrs);
  const b = Buffer.alloc(16 + 16 + body.length);
  b.writeUInt32LE(b.length, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt32LE(sequence, 8);
  // struct ifinfomsg: family, pad, type, index, flags, change
  b.writeUInt8(0, 16);
  b.writeUInt32LE(ifflags, 24);
  b.writeUInt32LE(ifflags ? 0xffffffff : 0, 28);
  body.copy(b, 32);
  return b;
}

/**
 * The RTM_NEWLINK request for a macvlan `name` on `parentIndex` with `mac`, up and NOARP (the kernel
 * answers no ARP on it: the agent does, by the balance hash). Pure; exported for tests.
 */
export function macvlanMessage(name: string, parentIndex: number, mac: Buffer, sequence: number): Buffer {
  const info = Buffer.concat([
    attr(IFLA_INFO_KIND, Buffer.from('macvlan\0')),
    attr(IFLA_INFO_DATA, attr(IFLA_MACVLAN_MODE, u32(MACVLAN_MODE_VEPA))),
  ]);
  return linkMessage(
    RTM_NEWLINK,
    NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
    IFF_UP | IFF_NOARP,
    [attr(IFLA_IFNAME, Buffer.from(`${name}\0`)), attr(IFLA_LINK, u32(parentIndex)), attr(IFLA_ADDRESS, mac), attr(IFLA_LINKINFO, info)],
    sequence,
  );
}

/** RTM_DELLINK by name. Pure; exported for tests. */
export function deleteLinkMessage(name: string, sequence: number): Buffer {
  return linkMessage(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, 0, [attr(IFLA_IFNAME, Buffer.from(`${name}\0`))], sequence);
}

/** Creates the macvlan; one that already exists under that name is fine (left by a killed agent). */
export function addMacvlan(parent: string, name: string, mac: Buffer): void {
  const c = libc();
  const parentIndex = c.if_nametoindex(parent);
  if (!parentIndex) throw new Error(`cannot create ${name}: interface ${parent} does not exist`);
  const err = request(macvlanMessage(name, parentIndex, mac, nextSeq()), `create macvlan ${name} on ${parent}`);
  if (err !== 0 && err !== EEXIST) throw new Error(`cannot create macvlan ${name} on ${parent}: ${c.strerror(err)} (does the kernel have macvlan support?)`);
}

/** Deletes the interface `name`; one that is not there is fine. */
export function deleteLink(name: string): void {
  const c = libc();
  if (!c.if_nametoindex(name)) return;
  const err = request(deleteLinkMessage(name, nextSeq()), `delete ${name}`);
  if (err !== 0 && err !== ENODEV) throw new Error(`cannot delete ${name}: ${c.strerror(err)}`);
}

/** The macvlan of vhid `vhid` on `parent`: "eth0-vm1" (15 characters at most: "if3-vm1" for long parent names). */
export function virtualMacLinkName(parent: string, parentIndex: number, vhid: number): string {
  const name = `${parent}-vm${vhid}`;
  return name.length <= 15 ? name : `if${parentIndex}-vm${vhid}`;
}

/** Interfaces that look like this agent's virtual MAC links (name "…-vmN", MAC 00:00:5e:00:01:N): left by a killed agent. */
export function virtualMacLinks(): string[] {
  let names: string[];
  try {
    names = readdirSync('/sys/class/net');
  } catch {
    return [];
  }
  return names.filter((n) => {
    const m = /-vm(\d{1,3})$/.exec(n);
    if (!m) return false;
    try {
      const mac = readFileSync(`/sys/class/net/${n}/address`, 'utf8').trim().toLowerCase();
      return mac === `00:00:5e:00:01:${Number(m[1]).toString(16).padStart(2, '0')}`;
    } catch {
      return false;
    }
  });
}
