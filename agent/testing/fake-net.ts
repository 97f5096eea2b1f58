// A network port for runtime unit tests (the real one needs root and raw sockets; the lab covers it):
// one interface eth0 on 198.18.9.0/24, addresses, sent adverts and frames recorded, packets delivered
// by the test, and the arpbalance port (links, sysctls, an ARP listener the test feeds).
import type { BalancePort, CarpSocketOptions, NetPort } from '../net/index.js';

export class FakeBalancePort implements BalancePort {
  links = new Map<string, { parent: string; mac: string }>();
  sysctls = new Map<string, string>([['eth0/arp_ignore', '0'], ['eth0/arp_announce', '0']]);
  leftovers: string[] = [];
  private listeners = new Map<string, (frame: Buffer) => void>();
  addMacvlan(parent: string, name: string, mac: Buffer) {
    this.links.set(name, { parent, mac: mac.toString('hex') });
  }
  deleteLink(name: string) {
    this.links.delete(name);
    this.leftovers = this.leftovers.filter((n) => n !== name);
  }
  virtualMacLinks() {
    return [...this.leftovers];
  }
  readIfSysctl(ifname: string, key: string) {
    return this.sysctls.get(`${ifname}/${key}`) ?? null;
  }
  writeIfSysctl(ifname: string, key: string, value: string) {
    this.sysctls.set(`${ifname}/${key}`, value);
  }
  listenArp(ifname: string, onFrame: (frame: Buffer) => void) {
    this.listeners.set(ifname, onFrame);
    return { close: () => void this.listeners.delete(ifname) };
  }
  /** A frame arriving on `ifname`'s ARP socket; false when nobody listens there. */
  arrive(ifname: string, frame: Buffer): boolean {
    const l = this.listeners.get(ifname);
    l?.(frame);
    return l !== undefined;
  }
}

export class FakeNet implements NetPort {
  /** Adverts sent on CARP sockets (36-byte headers). */
  sent: Buffer[] = [];
  /** Addresses as "cidr" on eth0, and as "ifname cidr" elsewhere. */
  addrs = new Set<string>();
  /** Frames sent (gratuitous ARP, ARP replies, adverts from virtual MACs), with their interface. */
  sentFrames: { ifname: string; frame: Buffer }[] = [];
  sockets: CarpSocketOptions[] = [];
  closed = 0;
  carrier = true;
  address = '198.18.9.1';
  ifindex = 7;
  mac: Buffer | null = Buffer.alloc(6, 1);
  balance?: FakeBalancePort;
  constructor(o: { balance?: boolean } = {}) {
    if (o.balance) this.balance = new FakeBalancePort();
  }
  get frames(): number {
    return this.sentFrames.length;
  }
  interfaceInfo(name: string) {
    return name === 'eth0' && this.address ? { name, address: this.address, segment: '198.18.9.0/24', mac: this.mac, ifindex: this.ifindex } : null;
  }
  interfaceAddresses(name: string) {
    return name === 'eth0' ? [this.address, ...[...this.addrs].filter((a) => !a.includes(' ')).map((a) => a.split('/')[0])] : [];
  }
  openCarp(o: CarpSocketOptions) {
    this.sockets.push(o);
    return { send: (b: Buffer) => void this.sent.push(b), close: () => void this.closed++ };
  }
  addAddress(i: string, c: string) {
    this.addrs.add(i === 'eth0' ? c : `${i} ${c}`);
  }
  removeAddress(i: string, c: string) {
    this.addrs.delete(i === 'eth0' ? c : `${i} ${c}`);
  }
  sendFrame(ifname: string, frame: Buffer) {
    this.sentFrames.push({ ifname, frame: Buffer.from(frame) });
  }
  carrierUp() {
    return this.carrier;
  }
  deliver(ip: Buffer) {
    this.sockets.at(-1)!.onPacket(ip);
  }
}
