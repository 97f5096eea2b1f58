// carp-console lab: emulated OpenBSD command surface (not a kernel). The emulated kernel state (carp
// interfaces, the carp group's demote counter, net.inet.carp sysctls) and what the write invocations of
// ifconfig/sysctl do to it, as pure functions; plus netstart (hostname.carpN, sysctl.conf) and the
// carp-agent config that runs the CARP of that state on the wire. Behaviour follows OpenBSD's
// sbin/ifconfig/ifconfig.c v1.472 (main, setifaddr/notealias, setcarp_*, setgroupattribs) and
// sbin/sysctl/sysctl.c (parse: "name: old -> new").
import type { AgentConfig } from '../../../agent/config/schema.js';
import { ctime, type Ctx, type Outcome as FlavourOutcome } from './emu-flavour.js';

/** What every emulated message says it is. */
export const EMULATION = 'carp-console lab: emulated OpenBSD command surface';

export interface CarpIf {
  name: string;
  /** Interface index (ifconfig "index N"), given at creation. */
  index: number;
  vhid: number | null;
  carpdev: string | null;
  password: string;
  advbase: number;
  advskew: number;
  /** VIPs "A/len", in the order added (the first is the primary address). */
  addresses: string[];
  up: boolean;
}

export interface Sysctls {
  allow: number;
  preempt: number;
  log: number;
}

export interface EmuState {
  interfaces: CarpIf[];
  nextIndex: number;
  /** The carp interface group's demote counter as set with ifconfig -g carp [-]carpdemote (link demotion is added when shown). */
  carpDemote: number;
  sysctl: Sysctls;
}

/** A fresh boot: no carp interface; OpenBSD's defaults allow=1, preempt=0, log=2 (LOG_CRIT). */
export function initialState(): EmuState {
  return { interfaces: [], nextIndex: 10, carpDemote: 0, sysctl: { allow: 1, preempt: 0, log: 2 } };
}

export type Outcome = FlavourOutcome<EmuState>;
export type { Ctx };

const fail = (stderr: string, code = 1): Outcome => ({ ok: false, stderr: stderr.endsWith('\n') ? stderr : `${stderr}\n`, code });
const clone = (s: EmuState): EmuState => JSON.parse(JSON.stringify(s)) as EmuState;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** strtonum's error words, as ifconfig prints them ("vhid 300: too large"). */
function strtonum(v: string, min: number, max: number): number | string {
  if (!/^-?\d+$/.test(v)) return 'invalid';
  const n = Number(v);
  if (n < min) return 'too small';
  if (n > max) return 'too large';
  return n;
}

/** The classful mask OpenBSD's in_getaddr leaves to the kernel when an address has no /len nor netmask. */
function classful(ip: string): number {
  const a = Number(ip.split('.')[0]);
  return a < 128 ? 8 : a < 192 ? 16 : 24;
}

function maskLen(m: string): number | undefined {
  let n: number;
  if (/^0x[0-9a-f]{1,8}$/i.test(m)) n = Number.parseInt(m.slice(2), 16) >>> 0;
  else if (IPV4.test(m)) n = m.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
  else return undefined;
  let len = 0;
  while (len < 32 && (n & (0x80000000 >>> len)) !== 0) len++;
  return ((len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0) === n) ? len : undefined;
}

const CARP_NAME = /^carp\d{1,4}$/;
const UNSUPPORTED = new Set(['carpnodes', 'balancing', 'carppeer', '-carppeer', 'state', 'group', '-group', 'mtu', 'lladdr', 'description', 'descr', 'inet6', 'rdomain']);

/**
 * ifconfig NAME PARAM…: a change to carp interface NAME (created when missing, as getinfo(…, create)
 * does), all or nothing. Parameters as ifconfig.c's cmds table: create, destroy, vhid, advbase,
 * advskew, pass, carpdev, up, down, inet, alias, -alias, delete, netmask, broadcast, and an address.
 */
export function ifconfigWrite(state: EmuState, name: string, params: string[], ctx: Ctx = {}): Outcome {
  if (!CARP_NAME.test(name)) return fail(`ifconfig: ${name}: ${EMULATION}: only carp interfaces can be changed here`);
  const s = clone(state);
  let p = [...params];
  let iface = s.interfaces.find((i) => i.name === name);
  if (p[0] === 'create') {
    if (iface) return fail(`ifconfig: ${name}: SIOCIFCREATE: File exists`);
    p = p.slice(1);
  }
  if (p[0] === 'destroy') {
    if (!iface) return fail(`ifconfig: ${name}: SIOCIFDESTROY: Device not configured`);
    s.interfaces = s.interfaces.filter((i) => i !== iface);
    if (!s.interfaces.length) s.carpDemote = 0; // the carp group goes with its last member
    return { ok: true, state: s, stdout: '' };
  }
  if (!iface) {
    iface = { name, index: s.nextIndex++, vhid: null, carpdev: null, password: '', advbase: 1, advskew: 0, addresses: [], up: false };
    s.interfaces.push(iface);
    s.interfaces.sort((a, b) => Number(a.name.slice(4)) - Number(b.name.slice(4)));
  }
  const it = iface;
  if (p[0] === 'inet') p = p.slice(1);
  // setifaddr/notealias: doalias 0 replaces the first address, 1 (alias) adds, -1 (delete, -alias) removes.
  let doalias = 0;
  let addr: string | undefined;
  let len: number | undefined;
  for (let i = 0; i < p.length; i++) {
    const w = p[i];
    const next = (): string | Outcome => (p[i + 1] === undefined ? fail(`ifconfig: '${w}' requires argument`) : p[++i]);
    const num = (what: string, min: number, max: number): number | Outcome => {
      const v = next();
      if (typeof v !== 'string') return v;
      const n = strtonum(v, min, max);
      return typeof n === 'string' ? fail(`ifconfig: ${what} ${v}: ${n}`) : n;
    };
    if (UNSUPPORTED.has(w)) return fail(`ifconfig: ${w}: ${EMULATION}: not emulated`);
    switch (w) {
      case 'vhid':
      case 'advbase':
      case 'advskew': {
        const n = w === 'vhid' ? num(w, 1, 255) : num(w, 0, 254);
        if (typeof n !== 'number') return n;
        if (w === 'vhid') it.vhid = n;
        else it[w] = n;
        break;
      }
      case 'pass': {
        const v = next();
        if (typeof v !== 'string') return v;
        it.password = Buffer.from(v).subarray(0, 19).toString(); // strlcpy into CARP_KEY_LEN 20
        break;
      }
      case 'carpdev': {
        const v = next();
        if (typeof v !== 'string') return v;
        if (ctx.ifnames && !ctx.ifnames.includes(v)) return fail(`ifconfig: ${name}: SIOCSVH: Invalid argument`);
        it.carpdev = v;
        break;
      }
      case 'up':
      case 'down':
        it.up = w === 'up';
        break;
      case 'alias':
      case '-alias':
      case 'delete':
        doalias = w === 'alias' ? 1 : -1;
        break;
      case 'netmask': {
        const v = next();
        if (typeof v !== 'string') return v;
        const l = maskLen(v);
        if (l === undefined) return fail(`ifconfig: ${v}: bad value`);
        len = l;
        break;
      }
      case 'broadcast':
        if (typeof next() !== 'string') return fail(`ifconfig: 'broadcast' requires argument`);
        break;
      default: {
        const [ip, l, extra] = w.split('/');
        if (extra !== undefined || !IPV4.test(ip) || (l !== undefined && !/^\d{1,2}$/.test(l)) || Number(l) > 32) return fail(`ifconfig: ${w}: bad value`);
        if (addr !== undefined) return fail(`ifconfig: ${w}: bad value`);
        addr = ip;
        if (l !== undefined) len = Number(l);
      }
    }
  }
  if (addr !== undefined) {
    const at = it.addresses.findIndex((a) => a.split('/')[0] === addr);
    if (doalias < 0) {
      if (at < 0) return fail('ifconfig: SIOCDIFADDR: Can\'t assign requested address');
      it.addresses.splice(at, 1);
    } else {
      const cidr = `${addr}/${len ?? classful(addr)}`;
      if (doalias === 0 && it.addresses.length) it.addresses.shift();
      const again = it.addresses.findIndex((a) => a.split('/')[0] === addr);
      if (again >= 0) it.addresses[again] = cidr;
      else if (doalias === 0) it.addresses.unshift(cidr);
      else it.addresses.push(cidr);
    }
  }
  if (it.vhid !== null && it.carpdev !== null) {
    const clash = s.interfaces.find((o) => o !== it && o.vhid === it.vhid && o.carpdev === it.carpdev);
    if (clash) return fail(`ifconfig: ${name}: SIOCSVH: Invalid argument`);
  }
  return { ok: true, state: s, stdout: '' };
}

/** ifconfig -g GROUP [-]carpdemote [N]: the carp group's counter (kernel: ERANGE outside 0..255). */
export function groupWrite(state: EmuState, group: string, args: string[], ctx: Ctx = {}): Outcome {
  const [what, count, more] = args;
  if (!what || more !== undefined || (what !== 'carpdemote' && what !== '-carpdemote')) return fail('usage: ifconfig [-AaC] [-M lladdr] [interface] [address_family]\n\t[address [dest_address]] [parameters]');
  let n = 1;
  if (count !== undefined) {
    const v = strtonum(count, 0, 128);
    if (typeof v === 'string') return fail(`ifconfig: ${group}: invalid carp demotion: ${v}`);
    n = v;
  }
  if (group !== 'carp' || state.interfaces.length === 0) return fail(`ifconfig: ${group}: SIOCSIFGATTR: No such file or directory`);
  const delta = what === 'carpdemote' ? n : -n;
  const total = state.carpDemote + (ctx.linkDemote ?? 0) + delta;
  if (total < 0 || total > 255 || state.carpDemote + delta < 0) return fail(`ifconfig: ${group}: SIOCSIFGATTR: Result too large`);
  const s = clone(state);
  s.carpDemote += delta;
  return { ok: true, state: s, stdout: '' };
}

const SYSCTL_MAX: Record<keyof Sysctls, number> = { allow: 1, preempt: 1, log: 7 };

/** sysctl [-n] [-q] NAME[=VALUE]…, for the net.inet.carp names (reads print "name=value", writes "name: old -> new"). */
export function sysctlCommand(state: EmuState, argv: string[], ctx: Ctx = {}): Outcome {
  let nflag = false;
  let qflag = false;
  const names: string[] = [];
  for (const a of argv) {
    if (/^-[nqw]+$/.test(a)) {
      nflag ||= a.includes('n');
      qflag ||= a.includes('q');
    } else if (a.startsWith('-')) return fail('usage: sysctl [-Aanq] [name[=value] ...]');
    else names.push(a);
  }
  if (!names.length) return fail(`sysctl: ${EMULATION}: only net.inet.carp and kern.boottime are emulated; name one`);
  const s = clone(state);
  let out = '';
  let err = '';
  for (const arg of names) {
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = eq >= 0 ? arg.slice(eq + 1).trim() : undefined;
    if (name === 'kern.boottime' && ctx.bootTime !== undefined) {
      // sysctl.c BOOTTIME: epoch seconds with -n, else ctime
      if (value !== undefined) err += `sysctl: ${name}: Operation not permitted\n`;
      else out += nflag ? `${ctx.bootTime}\n` : `kern.boottime=${ctime(new Date(ctx.bootTime * 1000))}`;
      continue;
    }
    if (name === 'net.inet.carp' && value === undefined) {
      for (const k of ['allow', 'preempt', 'log'] as const) out += nflag ? `${s.sysctl[k]}\n` : `net.inet.carp.${k}=${s.sysctl[k]}\n`;
      continue;
    }
    const m = /^net\.inet\.carp\.([a-z_]+)$/.exec(name);
    const key = m?.[1] as keyof Sysctls | undefined;
    if (!key || !(key in SYSCTL_MAX)) {
      const level = name.startsWith('net.inet.carp.') ? 'fourth' : 'third';
      err += `sysctl: ${level} level name ${name.split('.').pop()} in ${name} is invalid (${EMULATION}: only net.inet.carp.allow, preempt and log)\n`;
      continue;
    }
    if (value === undefined) {
      out += nflag ? `${s.sysctl[key]}\n` : `${name}=${s.sysctl[key]}\n`;
      continue;
    }
    const v = /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(v) || v < 0 || v > SYSCTL_MAX[key]) {
      err += `sysctl: ${name}: Invalid argument\n`;
      continue;
    }
    const old = s.sysctl[key];
    s.sysctl[key] = v;
    if (!qflag) out += nflag ? `${v}\n` : `${name}: ${old} -> ${v}\n`;
  }
  if (err) return { ok: false, stderr: out + err, code: 1 };
  return { ok: true, state: s, stdout: out };
}

/** The hostname.if(5) file names netstart starts: "hostname." + letters + digits (so .bak and temporaries are not). */
export const HOSTNAME_FILE = /^hostname\.(carp\d{1,4})$/;

/**
 * netstart at boot: every /etc/hostname.carpN (each line run as `ifconfig carpN LINE`, `#` comments
 * skipped; the interface is created first), then the net.inet.carp lines of /etc/sysctl.conf.
 * Lines that fail are reported (as netstart prints ifconfig's errors) and skipped.
 */
export function netstart(files: Record<string, string>, sysctlConf: string): { state: EmuState; messages: string[] } {
  let state = initialState();
  const messages: string[] = [];
  const names = Object.keys(files)
    .map((f) => HOSTNAME_FILE.exec(f)?.[1])
    .filter((n): n is string => !!n)
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  for (const name of names) {
    const created = ifconfigWrite(state, name, ['create']);
    if (created.ok) state = created.state;
    for (const raw of files[`hostname.${name}`].split('\n')) {
      const line = raw.replace(/#.*$/, '').trim();
      if (!line) continue;
      const r = ifconfigWrite(state, name, line.split(/\s+/));
      if (r.ok) state = r.state;
      else messages.push(`${name}: ${line.startsWith('vhid') || line.includes(' pass ') ? '(carp line)' : line}: ${r.stderr.trim()}`);
    }
  }
  for (const raw of sysctlConf.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line.startsWith('net.inet.carp.')) continue;
    const r = sysctlCommand(state, [line]);
    if (r.ok) state = r.state;
    else messages.push(`sysctl.conf: ${line}: ${r.stderr.trim()}`);
  }
  return { state, messages };
}

/** Whether a carp interface runs CARP (the agent has a group for it): a vhid, a carpdev, an address, and up. */
export function runs(i: CarpIf): boolean {
  return i.up && i.vhid !== null && i.carpdev !== null && i.addresses.length > 0;
}

/** The carp-agent config that runs this state's CARP: one group per running carp interface (named after it). */
export function agentConfigOf(state: EmuState): AgentConfig {
  return {
    groups: state.interfaces.filter(runs).map((i) => ({
      vhid: i.vhid!,
      name: i.name,
      interface: i.carpdev!,
      addresses: [...i.addresses],
      password: i.password,
      advbase: i.advbase,
      advskew: i.advskew,
      neutral: false,
    })),
    preempt: state.sysctl.preempt === 1,
    log: state.sysctl.log,
  };
}

/**
 * A write invocation as the console runs it (argv[0] the tool): `ifconfig carpN PARAM…`,
 * `ifconfig -g GROUP [-]carpdemote [N]` or `sysctl NAME=VALUE…`. Reads are not handled here.
 */
export function applyWrite(state: EmuState, argv: string[], ctx: Ctx = {}): Outcome {
  const [tool, ...rest] = argv;
  if (tool === 'sysctl') return sysctlCommand(state, rest, ctx);
  if (tool !== 'ifconfig') return fail(`${tool}: ${EMULATION}: not emulated`);
  if (rest[0] === '-g' && rest.length >= 3) return groupWrite(state, rest[1], rest.slice(2), ctx);
  if (rest.length < 2 || rest[0].startsWith('-')) return fail(`ifconfig: ${EMULATION}: not a change: ${rest.join(' ')}`);
  return ifconfigWrite(state, rest[0], rest.slice(1), ctx);
}
