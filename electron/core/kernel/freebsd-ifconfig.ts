// Parser for FreeBSD `ifconfig` (also pfSense and OPNsense): carp(4) lives on the parent interface,
// one "carp: STATE vhid N advbase N advskew N" line per vhid (FreeBSD ≥ 14 adds "      peer A peer6 B"
// under each), and the VIPs are the parent's addresses that end in " vhid N". Formats:
// sbin/ifconfig/carp.c carp_status() and af_inet.c (see fixtures/freebsd.ts for the revisions).
// Run it with IFCONFIG_FORMAT unset: that variable changes how addresses are printed.
import { CARP_STATES, type CarpState } from '../../../agent/engine/types.js';
import { KernelParseError } from './errors.js';
import { ifconfigBlocks, parseInet6Line, parseInetLine, type IfconfigBlock, type InetAddress } from './ifconfig-common.js';

const TOOL = 'FreeBSD ifconfig';

export interface FreebsdCarpVhid {
  vhid: number;
  state: CarpState;
  advbase: number;
  advskew: number;
  /** FreeBSD ≥ 14: the "peer"/"peer6" line (224.0.0.18 / ff02::12 when multicast). Absent on older releases. */
  peer?: string;
  peer6?: string;
  /** The VIPs: the parent's addresses printed with this vhid. */
  addresses: InetAddress[];
  addresses6: string[];
}

export interface FreebsdInterface {
  name: string;
  flags: string[];
  up: boolean;
  running: boolean;
  /** "status: active" / "no carrier"; absent when not printed. */
  status?: string;
  ether?: string;
  /** The interface's own IPv4 addresses (those without a vhid). */
  addresses: InetAddress[];
  carp: FreebsdCarpVhid[];
}

const STATE = `(${CARP_STATES.join('|')})`;
// `ifconfig -k` appends ` key "…"`; the key is read past and never kept.
const CARP = new RegExp(`^carp: ${STATE} vhid (\\d+) advbase (\\d+) advskew (\\d+)(?: key ".*")?$`);
const PEER = /^peer (\d{1,3}(?:\.\d{1,3}){3}) peer6 (\S+)$/;

function readBlock(b: IfconfigBlock): FreebsdInterface {
  const out: FreebsdInterface = { name: b.name, flags: b.flags, up: b.flags.includes('UP'), running: b.flags.includes('RUNNING'), addresses: [], carp: [] };
  const vips: { a: InetAddress; no: number; text: string }[] = [];
  const vips6: { cidr: string; vhid: number; no: number; text: string }[] = [];
  b.lines.forEach((line, i) => {
    const t = line.text.trim();
    const bad = (why: string) => new KernelParseError(TOOL, why, line.no, line.text);
    if (t.startsWith('carp:')) {
      const m = CARP.exec(t);
      if (!m) throw bad('expected "carp: INIT|BACKUP|MASTER vhid N advbase N advskew N"');
      const [vhid, advbase, advskew] = [Number(m[2]), Number(m[3]), Number(m[4])];
      if (vhid < 1 || vhid > 255) throw bad(`vhid ${vhid} is outside 1..255`);
      if (advbase > 255 || advskew > 255) throw bad('advbase/advskew outside 0..255');
      if (out.carp.some((c) => c.vhid === vhid)) throw bad(`vhid ${vhid} listed twice on ${b.name}`);
      out.carp.push({ vhid, state: m[1] as CarpState, advbase, advskew, addresses: [], addresses6: [] });
    } else if (t.startsWith('peer ') && (PEER.test(t) || (b.lines[i - 1]?.text.trim() ?? '').startsWith('carp:'))) {
      // The line under a carp line (FreeBSD ≥ 14); another interface's own "peer …" line is not ours.
      const m = PEER.exec(t);
      const prev = b.lines[i - 1]?.text.trim() ?? '';
      const last = out.carp[out.carp.length - 1];
      if (!m) throw bad('expected "peer A peer6 B" under the carp line');
      if (!last || !prev.startsWith('carp:')) throw bad('a carp peer line that does not follow a carp line');
      last.peer = m[1];
      last.peer6 = m[2];
    } else if (t.startsWith('inet ')) {
      const a = parseInetLine(TOOL, line);
      if (a.vhid === undefined) out.addresses.push(a);
      else vips.push({ a, no: line.no, text: line.text });
    } else if (t.startsWith('inet6 ')) {
      const a = parseInet6Line(TOOL, line);
      if (a.vhid !== undefined) vips6.push({ cidr: a.cidr, vhid: a.vhid, no: line.no, text: line.text });
    } else if (t.startsWith('status: ')) {
      out.status = t.slice('status: '.length);
    } else if (t.startsWith('ether ')) {
      out.ether = t.split(/\s+/)[1];
    }
  });
  // Addresses are printed before the carp lines: attach them once every carp line is known.
  for (const v of vips) {
    const c = out.carp.find((x) => x.vhid === v.a.vhid);
    if (!c) throw new KernelParseError(TOOL, `an address with vhid ${v.a.vhid} but no "carp: … vhid ${v.a.vhid} …" line on ${b.name}: output cut off?`, v.no, v.text);
    c.addresses.push(v.a);
  }
  for (const v of vips6) {
    const c = out.carp.find((x) => x.vhid === v.vhid);
    if (!c) throw new KernelParseError(TOOL, `an address with vhid ${v.vhid} but no "carp: … vhid ${v.vhid} …" line on ${b.name}: output cut off?`, v.no, v.text);
    c.addresses6.push(v.cidr);
  }
  return out;
}

/** Parses FreeBSD/pfSense/OPNsense `ifconfig` output; throws KernelParseError naming the line it cannot read. */
export function parseFreebsdIfconfig(text: string): FreebsdInterface[] {
  return ifconfigBlocks(TOOL, text).map(readBlock);
}
