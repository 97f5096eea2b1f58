// Adds and removes IPv4 addresses on an interface with rtnetlink (RTM_NEWADDR / RTM_DELADDR),
// so the agent needs no `ip` binary on the host.
import { ipToBuffer } from '../protocol/index.js';
import { libc, check, AF_INET, AF_NETLINK, SOCK_RAW, SOCK_CLOEXEC, NETLINK_ROUTE, MSG_DONTWAIT } from './libc.js';

const RTM_NEWADDR = 20;
const RTM_DELADDR = 21;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const NLMSG_ERROR = 2;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const EEXIST = 17;
const EADDRNOTAVAIL = 99;

let seq = 1;
/** The next netlink sequence number (one counter for every request of the process). */
export const nextSeq = (): number => seq++;

/** Splits "198.18.0.100/24" into address and prefix length (default 32). */
export function splitCidr(cidr: string): { ip: string; prefix: number } {
  const [ip, len] = cidr.split('/');
  return { ip: ip, prefix: len === undefined ? 32 : Number(len) };
}

/** Builds the RTM_NEWADDR/RTM_DELADDR request (pure; exported for tests). */
export function addrMessage(type: 'add' | 'del', ifindex: number, cidr: string, sequence: number): Buffer {
  const { ip, prefix } = splitCidr(cidr);
  const addr = ipToBuffer(ip);
  const len = 16 + 8 + 8 + 8;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(type === 'add' ? RTM_NEWADDR : RTM_DELADDR, 4);
  b.writeUInt16LE(NLM_F_REQUEST | NLM_F_ACK | (type === 'add' ? NLM_F_CREATE | NLM_F_EXCL : 0), 6);
  b.writeUInt32LE(sequence, 8);
  b.writeUInt32LE(0, 12);
  // struct ifaddrmsg
  b.writeUInt8(AF_INET, 16);
  b.writeUInt8(prefix, 17);
  b.writeUInt8(0, 18); // flags
  b.writeUInt8(0, 19); // scope universe
  b.writeUInt32LE(ifindex, 20);
  // rtattrs
  b.writeUInt16LE(8, 24);
  b.writeUInt16LE(IFA_LOCAL, 26);
  addr.copy(b, 28);
  b.writeUInt16LE(8, 32);
  b.writeUInt16LE(IFA_ADDRESS, 34);
  addr.copy(b, 36);
  return b;
}

/** Sends one rtnetlink request and returns the kernel's errno for it (0: done). */
export function request(msg: Buffer, what: string): number {
  const c = libc();
  const fd = check(c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), 'socket(AF_NETLINK)');
  try {
    const kernel = Buffer.alloc(12);
    kernel.writeUInt16LE(AF_NETLINK, 0);
    check(c.sendto(fd, msg, msg.length, 0, kernel, kernel.length), `netlink ${what}`);
    // The kernel handles the request inside sendto, so the ACK is already queued.
    const buf = Buffer.alloc(1024);
    const n = check(Number(c.recv(fd, buf, buf.length, MSG_DONTWAIT)), `netlink ${what} (reading the ack)`);
    if (n < 20 || buf.readUInt16LE(4) !== NLMSG_ERROR) throw new Error(`netlink ${what}: unexpected reply`);
    return -buf.readInt32LE(16); // errno, 0 = success
  } finally {
    c.close(fd);
  }
}

/** Adds `cidr` to `ifname`; an address that is already there is fine. */
export function addAddress(ifname: string, cidr: string): void {
  const c = libc();
  const ifindex = c.if_nametoindex(ifname);
  if (!ifindex) throw new Error(`cannot add ${cidr}: interface ${ifname} does not exist`);
  const err = request(addrMessage('add', ifindex, cidr, seq++), `add ${cidr} to ${ifname}`);
  if (err !== 0 && err !== EEXIST) throw new Error(`cannot add ${cidr} to ${ifname}: ${c.strerror(err)}`);
}

/** Removes `cidr` from `ifname`; an address that is not there is fine. */
export function removeAddress(ifname: string, cidr: string): void {
  const c = libc();
  const ifindex = c.if_nametoindex(ifname);
  if (!ifindex) return;
  const err = request(addrMessage('del', ifindex, cidr, seq++), `remove ${cidr} from ${ifname}`);
  if (err !== 0 && err !== EADDRNOTAVAIL) throw new Error(`cannot remove ${cidr} from ${ifname}: ${c.strerror(err)}`);
}
