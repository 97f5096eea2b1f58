// carp-console lab: emulated FreeBSD command surface (not a kernel): the FreeBSD flavour of the emulation
// daemon: netstart from /etc/rc.conf and /etc/sysctl.conf, the invocations the shims hand over, the agent
// plan (the demotion rides in the advertised advskew), the rendered files. No route monitor.
import type { Flavour, Handled } from './emu-flavour.js';
import { fbAgentConfig, fbNetstart, fbWrite, FREEBSD_EMULATION, type FbState } from './freebsd-kernel.js';
import { fbRenderFiles } from './freebsd-render.js';

function handle(state: FbState, argv: string[], ctx: Parameters<Flavour<FbState>['handle']>[2], file: (name: string) => string | undefined): Handled<FbState> {
  const [tool, ...rest] = argv;
  const err = (stderr: string): Handled<FbState> => ({ reply: { stdout: '', stderr: `${stderr}\n`, code: 1 } });
  if (tool === 'ifconfig' && rest.length <= 1) {
    if (rest[0]?.startsWith('-') && rest[0] !== '-a') return err(`ifconfig: ${FREEBSD_EMULATION}: ${rest[0]} is not emulated (ifconfig, -a, IF, IF PARAMS)`);
    const name = rest.length && rest[0] !== '-a' ? `if/${rest[0]}.txt` : 'ifconfig.txt';
    const t = file(name);
    return t !== undefined ? { reply: { stdout: t, stderr: '', code: 0 } } : err(`ifconfig: interface ${rest[0] ?? ''} does not exist`);
  }
  if (tool === 'ifconfig' || tool === 'sysctl' || tool === 'sysrc') {
    const what = tool === 'ifconfig' ? `ifconfig: ioctl (SIOCSVH): Invalid argument` : `${tool}: Invalid argument`;
    return { outcome: fbWrite(state, argv, ctx), refused: what };
  }
  return err(`${tool}: ${FREEBSD_EMULATION}: not emulated`);
}

export const FREEBSD: Flavour<FbState> = {
  tag: FREEBSD_EMULATION,
  etcFiles: (names) => names.filter((n) => n === 'rc.conf' || n === 'sysctl.conf'),
  netstart: (etc) => fbNetstart(etc['rc.conf'] ?? '', etc['sysctl.conf'] ?? ''),
  summary: (s) => s.vhids.map((v) => `${v.parent} vhid ${v.vhid} (${v.addresses.join(' ')})`).join(', ') || 'no vhid',
  handle,
  agent: (s) => ({ config: fbAgentConfig(s), demote: 0, allow: s.sysctl.allow === 1 }),
  files: fbRenderFiles,
  links: () => ({}),
  message: () => '',
};
