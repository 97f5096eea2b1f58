// carp-console lab: emulated OpenBSD command surface (not a kernel): the OpenBSD flavour of the emulation
// daemon: netstart from /etc/hostname.carpN and /etc/sysctl.conf, the invocations the shims hand over
// (reads of rendered files, writes to the emulated state), the agent plan, the files and route monitor.
import type { Flavour, Handled } from './emu-flavour.js';
import { agentConfigOf, applyWrite, EMULATION, HOSTNAME_FILE, netstart, type EmuState } from './openbsd-kernel.js';
import { CARP_UP_FLAGS, carpLinks, renderFiles, routeMonitorIfinfo } from './openbsd-render.js';

const USAGE = 'usage: ifconfig [-AaC] [-M lladdr] [interface] [address_family]\n\t[address [dest_address]] [parameters]';

function handle(state: EmuState, argv: string[], ctx: Parameters<Flavour<EmuState>['handle']>[2], file: (name: string) => string | undefined): Handled<EmuState> {
  const [tool, ...rest] = argv;
  const err = (stderr: string): Handled<EmuState> => ({ reply: { stdout: '', stderr: `${stderr}\n`, code: 1 } });
  const print = (name: string, missing: string): Handled<EmuState> => {
    const t = file(name);
    return t !== undefined ? { reply: { stdout: t, stderr: '', code: 0 } } : err(missing);
  };
  if (tool === 'ifconfig') {
    if (rest.length === 0) return print('ifconfig.txt', `ifconfig: ${EMULATION}: nothing rendered yet`);
    if (rest[0] === '-g') {
      const g = rest[1];
      if (!g) return err(USAGE);
      if (rest.length === 2) return print(`group-${g}.txt`, `ifconfig: ${g}: SIOCGIFGATTR: No such file or directory`);
      return { outcome: applyWrite(state, argv, ctx), refused: `ifconfig: ${g}: SIOCSIFGATTR: Invalid argument` };
    }
    if (rest[0].startsWith('-')) return err(`ifconfig: ${EMULATION}: ${rest[0]} is not emulated (ifconfig, -A, -a, -g GROUP, IF, IF PARAMS)`);
    if (rest.length === 1) return print(rest[0] === 'carp' ? 'members-carp.txt' : `if/${rest[0]}.txt`, `${rest[0]}: no such interface`);
    return { outcome: applyWrite(state, argv, ctx), refused: `ifconfig: ${rest[0]}: SIOCSVH: Invalid argument` };
  }
  if (tool === 'sysctl') return { outcome: applyWrite(state, argv, ctx), refused: 'sysctl: net.inet.carp: Invalid argument' };
  return err(`${tool}: ${EMULATION}: not emulated`);
}

export const OPENBSD: Flavour<EmuState> = {
  tag: EMULATION,
  etcFiles: (names) => names.filter((n) => HOSTNAME_FILE.test(n) || n === 'sysctl.conf'),
  netstart: (etc) => {
    const { ['sysctl.conf']: conf = '', ...files } = etc;
    return netstart(files, conf);
  },
  summary: (s) => s.interfaces.map((i) => `${i.name} vhid ${i.vhid ?? '-'} ${i.up ? 'up' : 'down'}`).join(', ') || 'no carp interface',
  handle,
  agent: (s) => ({ config: agentConfigOf(s), demote: s.carpDemote, allow: s.sysctl.allow === 1, log: s.sysctl.log }),
  files: renderFiles,
  links: (s, view) => {
    const out: Record<string, string> = {};
    view.interfaces.forEach((r, k) => (out[r.name] = `${k + 1}|${r.up ? 'active' : 'no carrier'}|${CARP_UP_FLAGS}`));
    for (const [name, l] of Object.entries(carpLinks(s, view))) out[name] = `${l.index}|${l.link}|${l.flags}`;
    return out;
  },
  message: (name, key, at) => {
    const [index, link, flags] = key.split('|');
    return routeMonitorIfinfo(name, Number(index), link, Number(flags), at);
  },
};
