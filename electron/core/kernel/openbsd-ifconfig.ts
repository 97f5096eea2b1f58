// Parser for OpenBSD `ifconfig -A` (all interfaces with every address) or `ifconfig carp` (the carp
// group): per carp interface its carpdev, advbase, vhids with state and advskew (one "carp:" line, or
// a "carp: carpdev … balancing M" line followed by "state S vhid V advskew K" lines for carpnodes),
// unicast carppeer, link status, flags and addresses. Format: sbin/ifconfig/ifconfig.c carp_status()
// (see fixtures/openbsd.ts for the exact revision). Plain `ifconfig` shows one IPv4 address per
// interface (printif with ifaliases 0): use `ifconfig -A` or `ifconfig carp` for all VIPs.
import { CARP_STATES, type CarpState } from '../../../agent/engine/types.js';
import { KernelParseError, intToken, outputLines } from './errors.js';
import { ifconfigBlocks, parseInet6Line, parseInetLine, type IfconfigBlock, type IfconfigLine, type InetAddress } from './ifconfig-common.js';

const TOOL = 'OpenBSD ifconfig';

/** carpr_balancing names (netinet/ip_carp.h CARP_BAL_MODES); "arp" only on releases before its removal. */
export const OPENBSD_BALANCING_MODES = ['none', 'arp', 'ip', 'ip-stealth', 'ip-unicast'] as const;
export type OpenbsdBalancing = (typeof OPENBSD_BALANCING_MODES)[number];

export interface OpenbsdCarpNode {
  vhid: number;
  state: CarpState;
  advskew: number;
}

/** Any interface: what a carp interface's parent (carpdev) contributes (link, own addresses). */
export interface OpenbsdInterface {
  name: string;
  flags: string[];
  up: boolean;
  running: boolean;
  /** The "status:" line: "active", "no carrier" (ethernet), "master"/"backup"/"invalid" (carp); absent when unknown. */
  status?: string;
  lladdr?: string;
  groups: string[];
  addresses: InetAddress[];
  addresses6: string[];
}

export interface OpenbsdCarpInterface extends OpenbsdInterface {
  /** null when printed as "carpdev none". */
  carpdev: string | null;
  advbase: number;
  /** One node (single "carp:" line) or several (carpnodes). */
  nodes: OpenbsdCarpNode[];
  /** Printed only in the several-nodes format. */
  balancing?: OpenbsdBalancing;
  /** Unicast peer ("carppeer A"); absent: the multicast group 224.0.0.18. */
  peer?: string;
}

export interface OpenbsdIfconfig {
  interfaces: OpenbsdInterface[];
  /** Interfaces with a carp line; carp interfaces without a vhid (just created) are in `unconfigured`. */
  carp: OpenbsdCarpInterface[];
  unconfigured: string[];
}

const STATE = `(${CARP_STATES.join('|')})`;
const IPV4 = '(\\d{1,3}(?:\\.\\d{1,3}){3})';
const SINGLE = new RegExp(`^carp: ${STATE} carpdev (\\S+) vhid (\\d+) advbase (\\d+) advskew (\\d+)(?: carppeer ${IPV4})?$`);
const MULTI = new RegExp(`^carp: carpdev (\\S+) advbase (\\d+) balancing (\\S+)(?: carppeer ${IPV4})?$`);
const NODE = new RegExp(`^state ${STATE} vhid (\\d+) advskew (\\d+)$`);

function range(line: IfconfigLine, what: string, v: number, min: number, max: number): number {
  if (v < min || v > max) throw new KernelParseError(TOOL, `${what} ${v} is outside ${min}..${max}`, line.no, line.text);
  return v;
}

function readBlock(b: IfconfigBlock): { iface: OpenbsdInterface; carp?: Omit<OpenbsdCarpInterface, keyof OpenbsdInterface> } {
  const iface: OpenbsdInterface = { name: b.name, flags: b.flags, up: b.flags.includes('UP'), running: b.flags.includes('RUNNING'), groups: [], addresses: [], addresses6: [] };
  let carp: Omit<OpenbsdCarpInterface, keyof OpenbsdInterface> | undefined;
  for (let i = 0; i < b.lines.length; i++) {
    const line = b.lines[i];
    const t = line.text.trim();
    const bad = (why: string) => new KernelParseError(TOOL, why, line.no, line.text);
    if (t.startsWith('carp:')) {
      if (carp) throw bad(`a second carp line for ${b.name}`);
      const s = SINGLE.exec(t);
      const m = MULTI.exec(t);
      if (s) {
        carp = {
          carpdev: s[2] === 'none' ? null : s[2],
          advbase: range(line, 'advbase', Number(s[4]), 0, 255),
          nodes: [{ state: s[1] as CarpState, vhid: range(line, 'vhid', Number(s[3]), 1, 255), advskew: range(line, 'advskew', Number(s[5]), 0, 255) }],
          peer: s[6],
        };
      } else if (m) {
        if (!(OPENBSD_BALANCING_MODES as readonly string[]).includes(m[3])) throw bad(`unknown balancing mode "${m[3]}" (known: ${OPENBSD_BALANCING_MODES.join(', ')})`);
        carp = { carpdev: m[1] === 'none' ? null : m[1], advbase: range(line, 'advbase', Number(m[2]), 0, 255), nodes: [], balancing: m[3] as OpenbsdBalancing, peer: m[4] };
        while (b.lines[i + 1]?.text.startsWith('\t\tstate ')) {
          const nl = b.lines[++i];
          const n = NODE.exec(nl.text.trim());
          if (!n) throw new KernelParseError(TOOL, `expected "state INIT|BACKUP|MASTER vhid N advskew N" under ${b.name}'s carpnodes`, nl.no, nl.text);
          const vhid = range(nl, 'vhid', Number(n[2]), 1, 255);
          if (carp.nodes.some((x) => x.vhid === vhid)) throw new KernelParseError(TOOL, `vhid ${vhid} listed twice on ${b.name}`, nl.no, nl.text);
          carp.nodes.push({ state: n[1] as CarpState, vhid, advskew: range(nl, 'advskew', Number(n[3]), 0, 255) });
        }
        if (carp.nodes.length < 2)
          throw bad(`the carpnodes format lists two or more "state … vhid … advskew …" lines, found ${carp.nodes.length}: output cut off?`);
      } else {
        throw bad('a carp line in neither known format ("carp: STATE carpdev IF vhid N advbase N advskew N" or "carp: carpdev IF advbase N balancing MODE")');
      }
    } else if (line.text.startsWith('\t\tstate ') && /^carp\d+$/.test(b.name)) {
      throw bad(`a carpnode line without the "carp: carpdev … balancing …" line before it`);
    } else if (t.startsWith('inet ')) {
      iface.addresses.push(parseInetLine(TOOL, line));
    } else if (t.startsWith('inet6 ')) {
      iface.addresses6.push(parseInet6Line(TOOL, line).cidr);
    } else if (t.startsWith('status: ')) {
      iface.status = t.slice('status: '.length);
    } else if (t.startsWith('lladdr ')) {
      iface.lladdr = t.split(/\s+/)[1];
    } else if (t.startsWith('groups:')) {
      iface.groups = t.slice('groups:'.length).trim().split(/\s+/).filter(Boolean);
    }
  }
  return { iface, carp };
}

/** Parses OpenBSD `ifconfig -A` or `ifconfig carp` output; throws KernelParseError naming the line it cannot read. */
export function parseOpenbsdIfconfig(text: string): OpenbsdIfconfig {
  const out: OpenbsdIfconfig = { interfaces: [], carp: [], unconfigured: [] };
  for (const b of ifconfigBlocks(TOOL, text)) {
    const { iface, carp } = readBlock(b);
    out.interfaces.push(iface);
    if (carp) out.carp.push({ ...iface, ...carp });
    else if (/^carp\d+$/.test(b.name)) out.unconfigured.push(b.name);
  }
  return out;
}

const GROUP_TOOL = 'OpenBSD ifconfig -g';

function demoteLine(text: string, no: number): { group: string; demote: number } {
  const m = /^([A-Za-z_][A-Za-z0-9_.-]*): carp demote count (\d+)$/.exec(text);
  const demote = intToken(m?.[2]);
  if (!m || demote === undefined) throw new KernelParseError(GROUP_TOOL, 'expected "GROUP: carp demote count N"', no, text);
  if (demote > 255) throw new KernelParseError(GROUP_TOOL, `demote count ${demote} is outside 0..255`, no, text);
  return { group: m[1], demote };
}

/** OpenBSD `ifconfig -g GROUP`: exactly "carp: carp demote count 0" (ifconfig.c printgroupattribs). */
export function parseOpenbsdGroupDemote(text: string): { group: string; demote: number } {
  const lines = outputLines(GROUP_TOOL, text);
  if (lines.length !== 1) throw new KernelParseError(GROUP_TOOL, `expected exactly one line, got ${lines.length}`, 2, lines[1]);
  return demoteLine(lines[0], 1);
}

/** Several `ifconfig -g GROUP` outputs one after the other (one line per group): group → counter. */
export function parseOpenbsdGroupDemotes(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  outputLines(GROUP_TOOL, text).forEach((line, i) => {
    const { group, demote } = demoteLine(line, i + 1);
    if (group in out) throw new KernelParseError(GROUP_TOOL, `group ${group} listed twice`, i + 1, line);
    out[group] = demote;
  });
  return out;
}
