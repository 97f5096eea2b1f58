// carp-console lab: emulated OpenBSD command surface (not a kernel). Pure renderers of what the read
// invocations print, from the emulated kernel state and the carp-agent underneath, in the formats of
// OpenBSD's sources: ifconfig (sbin/ifconfig/ifconfig.c v1.472 status/carp_status/printgroupattribs,
// as electron/core/kernel/fixtures/openbsd.ts), sysctl ("name=value"), netstat -s -p carp
// (usr.bin/netstat/inet.c carp_stats), route monitor (sbin/route/route.c v1.267 monitor/print_rtmsg).
import type { CarpState } from '../../../agent/engine/types.js';
import type { InterfaceReport } from '../../../agent/control/messages.js';
import { ctime, inetLine, type AgentView } from './emu-flavour.js';

export { ctime };
import { runs, type CarpIf, type EmuState } from './openbsd-kernel.js';

const FLAG_NAMES: [number, string][] = [
  [0x1, 'UP'], [0x2, 'BROADCAST'], [0x8, 'LOOPBACK'], [0x40, 'RUNNING'], [0x800, 'SIMPLEX'], [0x8000, 'MULTICAST'],
];
export const CARP_UP_FLAGS = 0x8843;
export const CARP_DOWN_FLAGS = 0x8802;

export function flagsWord(flags: number): string {
  return `${flags.toString(16)}<${FLAG_NAMES.filter(([b]) => flags & b).map(([, n]) => n).join(',')}>`;
}

/** The state of a carp interface: the agent's for a running one, INIT otherwise (down, no address, no agent). */
export function carpState(i: CarpIf, view: AgentView): CarpState {
  return runs(i) ? (view.states[`${i.carpdev}/${i.vhid}`] ?? 'INIT') : 'INIT';
}

/** The "status:"/route monitor link word of a carp interface (if.h LINK_STATE_DESCRIPTIONS for IFT_CARP). */
export function carpLink(state: CarpState): string {
  return state === 'MASTER' ? 'master' : state === 'BACKUP' ? 'backup' : 'invalid';
}

function carpBlock(i: CarpIf, view: AgentView, aliases: boolean): string[] {
  const lines = [`${i.name}: flags=${flagsWord(i.up ? CARP_UP_FLAGS : CARP_DOWN_FLAGS)} mtu 1500`];
  const mac = i.vhid !== null ? `00:00:5e:00:01:${i.vhid.toString(16).padStart(2, '0')}` : `fe:e1:ba:d0:${(i.index >> 8).toString(16).padStart(2, '0')}:${(i.index & 255).toString(16).padStart(2, '0')}`;
  lines.push(`\tlladdr ${mac}`, `\tindex ${i.index} priority 15 llprio 3`);
  if (i.vhid !== null) {
    const st = carpState(i, view);
    lines.push(`\tcarp: ${st} carpdev ${i.carpdev ?? 'none'} vhid ${i.vhid} advbase ${i.advbase} advskew ${i.advskew}`, '\tgroups: carp', `\tstatus: ${carpLink(st)}`);
  } else lines.push('\tgroups: carp');
  for (const a of aliases ? i.addresses : i.addresses.slice(0, 1)) lines.push(inetLine(a));
  return lines;
}

function hostBlock(r: InterfaceReport, index: number, aliases: boolean): string[] {
  const loop = r.name === 'lo' || r.name.startsWith('lo0');
  const lines = loop
    ? [`${r.name}: flags=${flagsWord(0x8049)} mtu 32768`, `\tindex ${index} priority 0 llprio 3`, '\tgroups: lo']
    : [
        `${r.name}: flags=${flagsWord(CARP_UP_FLAGS)} mtu 1500`,
        ...(r.mac ? [`\tlladdr ${r.mac}`] : []),
        `\tindex ${index} priority 0 llprio 3`,
        `\tstatus: ${r.up ? 'active' : 'no carrier'}`,
      ];
  for (const a of aliases ? r.addresses : r.addresses.slice(0, 1)) lines.push(inetLine(a.includes('/') ? a : `${a}/32`));
  return lines;
}

/** Every interface block: the host's own (from the agent) then the carp interfaces; `aliases` false = plain `ifconfig`. */
export function renderIfconfigBlocks(state: EmuState, view: AgentView, aliases: boolean): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  view.interfaces.forEach((r, k) => {
    if (!/^carp\d+$/.test(r.name)) out[r.name] = hostBlock(r, k + 1, aliases);
  });
  for (const i of state.interfaces) out[i.name] = carpBlock(i, view, aliases);
  return out;
}

const text = (lines: string[]) => (lines.length ? `${lines.join('\n')}\n` : '');

/** `ifconfig` (aliases false: one inet per interface) or `ifconfig -A` (all). */
export function renderIfconfig(state: EmuState, view: AgentView, aliases: boolean): string {
  return text(Object.values(renderIfconfigBlocks(state, view, aliases)).flat());
}

/** `ifconfig carp` (the carp group's members, every address); '' when the group does not exist. */
export function renderCarpGroup(state: EmuState, view: AgentView): string {
  return text(state.interfaces.flatMap((i) => carpBlock(i, view, true)));
}

/** The carp group's counter as the kernel shows it: the operator's plus link demotion (one counter in OpenBSD), max 255. */
export function groupDemote(state: EmuState, view: AgentView): number {
  return Math.min(255, state.carpDemote + view.linkDemote);
}

/** `ifconfig -g carp` (printgroupattribs); null when no carp interface exists (no group: SIOCGIFGATTR fails). */
export function renderGroupAttr(state: EmuState, view: AgentView): string | null {
  return state.interfaces.length ? `carp: carp demote count ${groupDemote(state, view)}\n` : null;
}

export function renderSysctl(state: EmuState): string {
  return (['allow', 'preempt', 'log'] as const).map((k) => `net.inet.carp.${k}=${state.sysctl[k]}\n`).join('');
}

/** `netstat -s -p carp` (inet.c carp_stats, every counter printed): the agent's sent/received/drops summed over the host. */
export function renderNetstat(view: AgentView, system: 'openbsd' | 'freebsd' = 'openbsd'): string {
  // FreeBSD's inet.c prints neither "bad interface" nor "transitions to master", and says "bad vhid".
  const openbsd = system === 'openbsd';
  const d = (k: string) => view.drops[k] ?? 0;
  const dropped = Object.values(view.drops).reduce((a, b) => a + b, 0);
  const pl = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return text([
    'carp:',
    `\t${pl(view.received + dropped, 'packet', 'packets')} received (IPv4)`,
    '\t0 packets received (IPv6)',
    ...(openbsd ? [`\t\t${pl(0, 'packet', 'packets')} discarded for bad interface`] : []),
    `\t\t${pl(d('ttl'), 'packet', 'packets')} discarded for wrong TTL`,
    `\t\t${pl(d('short'), 'packet', 'packets')} shorter than header`,
    `\t\t${d('checksum')} discarded for bad checksum${d('checksum') === 1 ? '' : 's'}`,
    `\t\t${pl(d('version'), 'discarded packet', 'discarded packets')} with a bad version`,
    '\t\t0 discarded because packet too short',
    `\t\t${d('hmac')} discarded for bad authentication`,
    `\t\t${d('vhid')} discarded for ${openbsd ? 'unknown' : 'bad'} vhid`,
    '\t\t0 discarded because of a bad address list',
    `\t${pl(view.sent, 'packet', 'packets')} sent (IPv4)`,
    '\t0 packets sent (IPv6)',
    '\t\t0 send failed due to mbuf memory error',
    ...(openbsd ? [`\t${pl(view.transitions, 'transition', 'transitions')} to master`] : []),
  ]);
}

/** sizeof(struct if_msghdr) on amd64 (computed from net/if.h, not read from a running system). */
export const IF_MSGHDR_LEN = 168;

/**
 * What `route -n monitor` prints for an RTM_IFINFO message (route.c monitor + print_rtmsg + pmsg_addrs with
 * no addresses): "got message of size N on <ctime>" then
 * "RTM_IFINFO: iface status change: len N, if# I, name NAME, link: L, mtu: 1500, flags:<…>".
 */
export function routeMonitorIfinfo(name: string, index: number, link: string, flags: number, at: Date): string {
  const names = flagsWord(flags).replace(/^[0-9a-f]+/, '');
  return `got message of size ${IF_MSGHDR_LEN} on ${ctime(at)}RTM_IFINFO: iface status change: len ${IF_MSGHDR_LEN}, if# ${index}, name ${name}, link: ${link}, mtu: 1500, flags:${names}\n`;
}

/** The link word and flags of every carp interface: what route monitor reports when it changes. */
export function carpLinks(state: EmuState, view: AgentView): Record<string, { index: number; link: string; flags: number }> {
  return Object.fromEntries(
    state.interfaces.map((i) => [i.name, { index: i.index, link: i.vhid === null ? 'invalid' : carpLink(carpState(i, view)), flags: i.up ? CARP_UP_FLAGS : CARP_DOWN_FLAGS }]),
  );
}

/** Every file the read shims print, by name under /run/bsd-emu/out (if/NAME for `ifconfig NAME`). */
export function renderFiles(state: EmuState, view: AgentView): Record<string, string> {
  const files: Record<string, string> = {
    'ifconfig.txt': renderIfconfig(state, view, false),
    'ifconfig-A.txt': renderIfconfig(state, view, true),
    'sysctl.txt': renderSysctl(state),
    'netstat.txt': renderNetstat(view),
  };
  const group = renderGroupAttr(state, view);
  if (group) {
    files['group-carp.txt'] = group;
    files['members-carp.txt'] = renderCarpGroup(state, view);
  }
  for (const [name, lines] of Object.entries(renderIfconfigBlocks(state, view, true))) files[`if/${name}.txt`] = text(lines);
  return files;
}
