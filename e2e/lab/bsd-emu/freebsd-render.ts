// carp-console lab: emulated FreeBSD command surface (not a kernel): pure renderers of what the read
// invocations print, in the formats of electron/core/kernel/fixtures/freebsd.ts (FreeBSD 14:
// sbin/ifconfig/carp.c carp_status with its peer line, af_inet.c " vhid N" addresses, sysctl "name: value",
// usr.bin/netstat/inet.c carp_stats without "bad interface"/"transitions to master").
import type { InterfaceReport } from '../../../agent/control/messages.js';
import type { CarpState } from '../../../agent/engine/types.js';
import { inetLine, type AgentView } from './emu-flavour.js';
import type { FbState } from './freebsd-kernel.js';
import { renderNetstat } from './openbsd-render.js';

const FLAGS_UP = '8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST>';

function block(r: InterfaceReport, s: FbState, view: AgentView): string[] {
  const vhids = s.vhids.filter((v) => v.parent === r.name);
  const state = (vhid: number, hasAddr: boolean): CarpState => (hasAddr ? (view.states[`${r.name}/${vhid}`] ?? 'INIT') : 'INIT');
  return [
    `${r.name}: flags=${FLAGS_UP} metric 0 mtu 1500`,
    '\toptions=80000<LINKSTATE>',
    ...(r.mac ? [`\tether ${r.mac}`] : []),
    ...r.addresses.map((a) => inetLine(a.includes('/') ? a : `${a}/32`, '', true)),
    ...vhids.flatMap((v) => v.addresses.map((a) => inetLine(a, ` vhid ${v.vhid}`, true))),
    ...vhids.flatMap((v) => [`\tcarp: ${state(v.vhid, v.addresses.length > 0)} vhid ${v.vhid} advbase ${v.advbase} advskew ${v.advskew}`, '\t      peer 224.0.0.18 peer6 ff02::12']),
    '\tmedia: Ethernet autoselect (10Gbase-T <full-duplex>)',
    `\tstatus: ${r.up ? 'active' : 'no carrier'}`,
    '\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>',
  ];
}

const text = (lines: string[]) => (lines.length ? `${lines.join('\n')}\n` : '');

export function fbRenderIfconfig(s: FbState, view: AgentView): Record<string, string> {
  return Object.fromEntries(view.interfaces.map((r) => [r.name, text(block(r, s, view))]));
}

export function fbRenderSysctl(s: FbState): string {
  return (['ifdown_demotion_factor', 'senderr_demotion_factor', 'demotion', 'log', 'preempt', 'allow'] as const).map((k) => `net.inet.carp.${k}: ${s.sysctl[k]}\n`).join('');
}

/** Every file the FreeBSD read shims print (if/NAME for `ifconfig NAME`). */
export function fbRenderFiles(s: FbState, view: AgentView): Record<string, string> {
  const blocks = fbRenderIfconfig(s, view);
  const files: Record<string, string> = {
    'ifconfig.txt': Object.values(blocks).join(''),
    'sysctl.txt': fbRenderSysctl(s),
    'netstat.txt': renderNetstat(view, 'freebsd'),
  };
  for (const [name, t] of Object.entries(blocks)) files[`if/${name}.txt`] = t;
  return files;
}
