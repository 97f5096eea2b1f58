// What OpenBSD's and FreeBSD's `ifconfig` print alike: the per-interface header line
// ("em0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1500"), the indented detail lines
// that follow it, and the "inet A netmask 0x… [broadcast B]" address lines (netmask in hex).
import { KernelParseError, intToken, outputLines } from './errors.js';

export interface IfconfigLine {
  /** 1-based line number in the tool's output (for errors). */
  no: number;
  text: string;
}

export interface IfconfigBlock {
  name: string;
  /** The flags word as printed (hex) and its names: UP, RUNNING, … */
  flagsHex: string;
  flags: string[];
  mtu?: number;
  header: IfconfigLine;
  /** The indented lines after the header, in order. */
  lines: IfconfigLine[];
}

export interface InetAddress {
  /** "198.51.100.1/24": address and prefix length from the printed netmask. */
  cidr: string;
  address: string;
  prefixLen: number;
  broadcast?: string;
  /** FreeBSD: the carp vhid the address belongs to (" vhid N" at the end of the line). */
  vhid?: number;
}

const HEADER = /^([A-Za-z][A-Za-z0-9_.-]*): flags=([0-9a-f]+)<([A-Z0-9_,]*)>(.*)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Splits `ifconfig` output into interface blocks; a line that is neither a header nor indented is an error. */
export function ifconfigBlocks(tool: string, text: string): IfconfigBlock[] {
  const blocks: IfconfigBlock[] = [];
  outputLines(tool, text).forEach((text, i) => {
    const line = { no: i + 1, text };
    if (text.startsWith('\t') || text.startsWith(' ')) {
      const cur = blocks[blocks.length - 1];
      if (!cur) throw new KernelParseError(tool, 'an indented detail line before any interface header', line.no, text);
      cur.lines.push(line);
      return;
    }
    const m = HEADER.exec(text);
    if (!m) throw new KernelParseError(tool, 'expected an interface header such as "em0: flags=8843<UP,…> mtu 1500"', line.no, text);
    const rest = m[4].trim().split(/\s+/).filter(Boolean);
    let mtu: number | undefined;
    for (let k = 0; k < rest.length; k += 2) {
      const value = intToken(rest[k + 1]);
      if (!['mtu', 'metric', 'rdomain'].includes(rest[k]) || value === undefined)
        throw new KernelParseError(tool, `unexpected "${rest.slice(k).join(' ')}" after the flags (expected mtu/metric/rdomain N)`, line.no, text);
      if (rest[k] === 'mtu') mtu = value;
    }
    if (blocks.some((b) => b.name === m[1])) throw new KernelParseError(tool, `interface ${m[1]} is listed twice`, line.no, text);
    blocks.push({ name: m[1], flagsHex: m[2], flags: m[3] ? m[3].split(',') : [], mtu, header: line, lines: [] });
  });
  return blocks;
}

/** Prefix length of a netmask printed as hex ("0xffffff00" → 24); non-contiguous masks are an error. */
export function prefixFromHexMask(hex: string): number | undefined {
  if (!/^0x[0-9a-f]{1,8}$/.test(hex)) return undefined;
  const mask = Number.parseInt(hex.slice(2), 16) >>> 0;
  let ones = 0;
  while (ones < 32 && (mask & (0x80000000 >>> ones)) !== 0) ones++;
  const rebuilt = ones === 0 ? 0 : (0xffffffff << (32 - ones)) >>> 0;
  return rebuilt === mask ? ones : undefined;
}

/**
 * One "\tinet …" line. OpenBSD: "inet A [--> D] netmask 0xM [broadcast B]"; FreeBSD adds " vhid N".
 * Anything else on the line is an error: an address line misread would put a VIP on the wrong vhid.
 */
export function parseInetLine(tool: string, line: IfconfigLine): InetAddress {
  const t = line.text.trim().split(/\s+/);
  const bad = (why: string) => new KernelParseError(tool, why, line.no, line.text);
  if (t[0] !== 'inet' || !IPV4.test(t[1] ?? '')) throw bad('expected "inet <IPv4 address> netmask 0x…"');
  let k = 2;
  if (t[k] === '-->') k += 2;
  if (t[k] !== 'netmask') throw bad('no "netmask 0x…" after the address');
  const prefixLen = prefixFromHexMask(t[k + 1] ?? '');
  if (prefixLen === undefined) throw bad(`netmask "${t[k + 1] ?? ''}" is not a contiguous hex mask such as 0xffffff00`);
  k += 2;
  const out: InetAddress = { address: t[1], prefixLen, cidr: `${t[1]}/${prefixLen}` };
  while (k < t.length) {
    if (t[k] === 'broadcast' && IPV4.test(t[k + 1] ?? '')) out.broadcast = t[k + 1];
    else if (t[k] === 'vhid' && intToken(t[k + 1]) !== undefined) out.vhid = intToken(t[k + 1]);
    else throw bad(`unexpected "${t.slice(k).join(' ')}" (expected broadcast A or vhid N)`);
    k += 2;
  }
  if (out.vhid !== undefined && (out.vhid < 1 || out.vhid > 255)) throw bad(`vhid ${out.vhid} is outside 1..255`);
  return out;
}

/** "\tinet6 ADDR[%scope] prefixlen N … [vhid N]": the address with its prefix and vhid; the flags words are skipped. */
export function parseInet6Line(tool: string, line: IfconfigLine): { cidr: string; vhid?: number } {
  const t = line.text.trim().split(/\s+/);
  const i = t.indexOf('prefixlen');
  const len = intToken(t[i + 1]);
  if (t[0] !== 'inet6' || !t[1] || i < 0 || len === undefined) throw new KernelParseError(tool, 'expected "inet6 <address> prefixlen N …"', line.no, line.text);
  const v = t.indexOf('vhid');
  return { cidr: `${t[1]}/${len}`, vhid: v > 0 ? intToken(t[v + 1]) : undefined };
}

/** The network of an IPv4 CIDR: "198.51.100.7/24" → "198.51.100.0/24". */
export function networkOf(cidr: string): string {
  const [ip, lenText] = cidr.split('/');
  const len = Number(lenText);
  const n = ip.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${len}`;
}

/** Whether an IPv4 address lies in a network given as CIDR. */
export function inNetwork(address: string, cidr: string): boolean {
  const len = cidr.split('/')[1];
  return networkOf(`${address}/${len}`) === networkOf(cidr);
}
