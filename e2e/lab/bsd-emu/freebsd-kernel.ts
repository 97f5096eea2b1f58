// carp-console lab: emulated FreeBSD command surface (not a kernel). The emulated kernel state (vhids on
// their parent interface with their VIPs, net.inet.carp sysctls with the demotion adjustment) and what the
// write invocations of ifconfig/sysctl/sysrc do to it, as pure functions; netstart from rc.conf's
// ifconfig_<if>_alias<n> lines and sysctl.conf; and the carp-agent config that runs it. Behaviour after
// sbin/ifconfig/carp.c and af_inet.c, sys/netinet/ip_carp.c (the demotion sysctl adds what is written,
// the advertised advskew is advskew + demotion within 0..240, a vhid goes with its last address) and sysrc(8).
import type { AgentConfig } from '../../../agent/config/schema.js';
import { ctime, type Ctx, type Outcome } from './emu-flavour.js';

export const FREEBSD_EMULATION = 'carp-console lab: emulated FreeBSD command surface';

export interface FbVhid {
  parent: string;
  vhid: number;
  advbase: number;
  advskew: number;
  password: string;
  /** VIPs "A/len" in the order added. */
  addresses: string[];
}

export interface FbState {
  vhids: FbVhid[];
  /** net.inet.carp.*: FreeBSD's defaults allow 1, preempt 0, log 1, demotion 0, both factors 240. */
  sysctl: { allow: number; preempt: number; log: number; demotion: number; ifdown_demotion_factor: number; senderr_demotion_factor: number };
}

export function fbInitial(): FbState {
  return { vhids: [], sysctl: { allow: 1, preempt: 0, log: 1, demotion: 0, ifdown_demotion_factor: 240, senderr_demotion_factor: 240 } };
}

type R = Outcome<FbState>;
const fail = (stderr: string, code = 1): R => ({ ok: false, stderr: stderr.endsWith('\n') ? stderr : `${stderr}\n`, code });
const clone = (s: FbState): FbState => JSON.parse(JSON.stringify(s)) as FbState;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const UNSUPPORTED = new Set(['peer', 'peer6', '-peer', '-peer6', 'state', 'inet6', 'carpdev', 'mtu', 'ether', 'lladdr', 'description', 'up', 'down']);

/**
 * ifconfig PARENT [inet] [A[/len]] [vhid V] [advbase B] [advskew S] [pass P] [alias|-alias|delete]: a vhid's
 * parameters (SIOCSVH creates the vhid when new) and one address, with or without a vhid; all or nothing.
 */
export function fbIfconfig(state: FbState, parent: string, params: string[], ctx: Ctx = {}): R {
  if (ctx.ifnames && !ctx.ifnames.includes(parent)) return fail(`ifconfig: interface ${parent} does not exist`);
  const s = clone(state);
  const p = params[0] === 'inet' ? params.slice(1) : [...params];
  let vhid: number | undefined;
  const set: Partial<Pick<FbVhid, 'advbase' | 'advskew' | 'password'>> = {};
  let addr: string | undefined;
  let remove = false;
  for (let i = 0; i < p.length; i++) {
    const w = p[i];
    if (UNSUPPORTED.has(w)) return fail(`ifconfig: ${w}: ${FREEBSD_EMULATION}: not emulated`);
    const val = p[i + 1];
    const int = (min: number, max: number): number | R => {
      i++;
      if (val === undefined) return fail(`ifconfig: ${w}: missing argument`);
      const n = /^\d+$/.test(val) ? Number(val) : NaN;
      return Number.isInteger(n) && n >= min && n <= max ? n : fail(`ifconfig: ${w} ${val}: ${Number.isNaN(n) ? 'invalid' : n < min ? 'too small' : 'too large'}`);
    };
    if (w === 'vhid' || w === 'advbase' || w === 'advskew') {
      const n = w === 'vhid' ? int(1, 255) : w === 'advbase' ? int(1, 255) : int(0, 254);
      if (typeof n !== 'number') return n;
      if (w === 'vhid') vhid = n;
      else set[w] = n;
    } else if (w === 'pass') {
      i++;
      if (val === undefined) return fail('ifconfig: pass: missing argument');
      set.password = Buffer.from(val).subarray(0, 19).toString();
    } else if (w === 'alias') remove = false;
    else if (w === '-alias' || w === 'delete') remove = true;
    else {
      const [ip, l, extra] = w.split('/');
      if (addr !== undefined || extra !== undefined || !IPV4.test(ip) || (l !== undefined && (!/^\d{1,2}$/.test(l) || Number(l) > 32))) return fail(`ifconfig: ${w}: bad value`);
      addr = l === undefined ? `${ip}/32` : w;
    }
  }
  if (Object.keys(set).length && vhid === undefined) return fail('ifconfig: vhid must be set for advbase/advskew/pass');
  let v = vhid !== undefined ? s.vhids.find((x) => x.parent === parent && x.vhid === vhid) : undefined;
  if (vhid !== undefined && !remove && (Object.keys(set).length || !addr)) {
    if (!v) {
      v = { parent, vhid, advbase: 1, advskew: 0, password: '', addresses: [] };
      s.vhids.push(v);
      s.vhids.sort((a, b) => a.parent.localeCompare(b.parent) || a.vhid - b.vhid);
    }
    Object.assign(v, set);
  }
  if (addr !== undefined) {
    const ip = addr.split('/')[0];
    const owner = s.vhids.find((x) => x.parent === parent && x.addresses.some((a) => a.split('/')[0] === ip));
    if (remove) {
      if (!owner) return fail("ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address");
      owner.addresses = owner.addresses.filter((a) => a.split('/')[0] !== ip);
      if (!owner.addresses.length) s.vhids = s.vhids.filter((x) => x !== owner); // a vhid goes with its last address
    } else {
      if (vhid === undefined) return fail(`ifconfig: ${FREEBSD_EMULATION}: only carp addresses (with vhid) can be added here`);
      if (!v) return fail('ifconfig: ioctl (SIOCAIFADDR): Invalid argument');
      if (owner && owner !== v) return fail('ifconfig: ioctl (SIOCAIFADDR): File exists');
      const at = v.addresses.findIndex((a) => a.split('/')[0] === ip);
      if (at >= 0) v.addresses[at] = addr;
      else v.addresses.push(addr);
    }
  } else if (remove) return fail('ifconfig: -alias: missing address');
  return { ok: true, state: s, stdout: '' };
}

const KEYS = ['allow', 'preempt', 'log', 'demotion', 'ifdown_demotion_factor', 'senderr_demotion_factor'] as const;
type Key = (typeof KEYS)[number];

/** sysctl [-n] NAME[=VALUE]… for net.inet.carp ("name: value"; writes "name: old -> new"; demotion adds). */
export function fbSysctl(state: FbState, argv: string[], ctx: Ctx = {}): R {
  const nflag = argv.includes('-n');
  const names = argv.filter((a) => !/^-[nqw]+$/.test(a));
  if (!names.length || names.some((a) => a.startsWith('-'))) return fail('usage: sysctl [-n] name[=value] ...');
  const s = clone(state);
  let out = '';
  for (const arg of names) {
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = eq >= 0 ? arg.slice(eq + 1) : undefined;
    if (name === 'kern.boottime' && value === undefined && ctx.bootTime !== undefined) {
      const v = `{ sec = ${ctx.bootTime}, usec = 0 } ${ctime(new Date(ctx.bootTime * 1000))}`;
      out += nflag ? v : `${name}: ${v}`;
      continue;
    }
    if (name === 'net.inet.carp' && value === undefined) {
      out += (['ifdown_demotion_factor', 'senderr_demotion_factor', 'demotion', 'log', 'preempt', 'allow'] as const).map((k) => (nflag ? `${s.sysctl[k]}\n` : `net.inet.carp.${k}: ${s.sysctl[k]}\n`)).join('');
      continue;
    }
    const key = name.startsWith('net.inet.carp.') ? (name.slice('net.inet.carp.'.length) as Key) : undefined;
    if (!key || !KEYS.includes(key)) return { ok: false, stderr: `${out}sysctl: unknown oid '${name}'\n`, code: 1 };
    if (value === undefined) {
      out += nflag ? `${s.sysctl[key]}\n` : `${name}: ${s.sysctl[key]}\n`;
      continue;
    }
    if (!/^-?\d+$/.test(value)) return fail(`sysctl: invalid integer '${value}'`);
    const old = s.sysctl[key];
    const n = Number(value);
    if ((key === 'allow' || key === 'preempt') && n !== 0 && n !== 1) return fail(`sysctl: ${name}=${value}: Invalid argument`);
    s.sysctl[key] = key === 'demotion' ? old + n : n; // ip_carp.c: the demotion sysctl adds (carp_demote_adj)
    out += nflag ? `${s.sysctl[key]}\n` : `${name}: ${old} -> ${s.sysctl[key]}\n`;
  }
  return { ok: true, state: s, stdout: out };
}

/** rc.conf's variables in order (name → value, quotes removed); later assignments win, as sh does. */
export function rcVars(rc: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of rc.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|'([^']*)'|([^\s#]*))\s*(?:#.*)?$/.exec(raw);
    if (m) out.set(m[1], m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

/** sysrc NAME=VALUE (prints "NAME: OLD -> VALUE"), sysrc -x NAME, sysrc NAME, sysrc -a, sysrc -e, on /etc/rc.conf. */
export function fbSysrc(state: FbState, argv: string[], rc: string): R {
  const vars = rcVars(rc);
  if (argv[0] === '-a' || argv[0] === '-e') {
    const out = [...vars].map(([k, v]) => (argv[0] === '-a' ? `${k}: ${v}\n` : `${k}="${v}"\n`)).join('');
    return { ok: true, state, stdout: out };
  }
  if (argv[0] === '-x') {
    const missing = argv.slice(1).filter((n) => !vars.has(n));
    if (missing.length || argv.length < 2) return fail(`sysrc: ${missing[0] ?? '-x'}: not found`);
    const drop = new Set(argv.slice(1));
    const lines = rc.split('\n').filter((l) => !drop.has(/^\s*([A-Za-z_][A-Za-z0-9_]*)=/.exec(l)?.[1] ?? ''));
    return { ok: true, state, stdout: '', etc: { 'rc.conf': lines.join('\n') } };
  }
  let text = rc;
  let out = '';
  for (const a of argv) {
    if (a.startsWith('-')) return fail(`sysrc: ${FREEBSD_EMULATION}: option ${a} is not emulated`);
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(0, eq) : a;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return fail(`sysrc: ${name}: bad variable name`);
    if (eq < 0) {
      if (!vars.has(name)) return fail(`sysrc: unknown variable '${name}'`);
      out += `${name}: ${vars.get(name)}\n`;
      continue;
    }
    const value = a.slice(eq + 1);
    if (/["\\$`\n]/.test(value)) return fail(`sysrc: ${FREEBSD_EMULATION}: a value with quotes, backslashes, $ or newlines is not emulated`);
    const line = `${name}="${value}"`;
    const re = new RegExp(`^\\s*${name}=.*$`, 'm');
    text = re.test(text) ? text.replace(re, line) : `${text}${text && !text.endsWith('\n') ? '\n' : ''}${line}\n`;
    out += `${name}: ${vars.get(name) ?? ''} -> ${value}\n`;
    vars.set(name, value);
  }
  return text === rc ? { ok: true, state, stdout: out } : { ok: true, state, stdout: out, etc: { 'rc.conf': text } };
}

/** A write as the console runs it: `ifconfig PARENT …`, `sysctl NAME=V…`, `sysrc …` (rc.conf from ctx.etc). */
export function fbWrite(state: FbState, argv: string[], ctx: Ctx = {}): R {
  const [tool, ...rest] = argv;
  if (tool === 'sysctl') return fbSysctl(state, rest, ctx);
  if (tool === 'sysrc') return fbSysrc(state, rest, ctx.etc?.['rc.conf'] ?? '');
  if (tool !== 'ifconfig' || rest.length < 2 || rest[0].startsWith('-')) return fail(`${tool}: ${FREEBSD_EMULATION}: not a change: ${rest.join(' ')}`);
  return fbIfconfig(state, rest[0], rest.slice(1), ctx);
}

/**
 * Boot: network.subr runs `ifconfig IF VALUE alias` for ifconfig_IF_alias0, 1, … up to the first missing
 * number, then sysctl.conf's net.inet.carp lines (demotion is an adjustment at runtime: left out).
 */
export function fbNetstart(rcConf: string, sysctlConf: string): { state: FbState; messages: string[] } {
  let state = fbInitial();
  const messages: string[] = [];
  const vars = rcVars(rcConf);
  const parents = [...new Set([...vars.keys()].map((k) => /^ifconfig_([A-Za-z0-9]+)_alias\d+$/.exec(k)?.[1]).filter((x): x is string => !!x))].sort();
  for (const parent of parents) {
    for (let n = 0; vars.has(`ifconfig_${parent}_alias${n}`); n++) {
      const value = vars.get(`ifconfig_${parent}_alias${n}`)!;
      const r = fbIfconfig(state, parent, [...value.split(/\s+/).filter(Boolean), 'alias']);
      if (r.ok) state = r.state;
      else messages.push(`ifconfig_${parent}_alias${n}: ${r.stderr.trim()}`);
    }
  }
  for (const raw of sysctlConf.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line.startsWith('net.inet.carp.') || line.startsWith('net.inet.carp.demotion')) continue;
    const r = fbSysctl(state, [line]);
    if (r.ok) state = r.state;
    else messages.push(`sysctl.conf: ${line}: ${r.stderr.trim()}`);
  }
  return { state, messages };
}

/** The carp-agent config: one group per vhid with an address; the advertised advskew carries the demotion (0..240). */
export function fbAgentConfig(state: FbState): AgentConfig {
  const wire = (advskew: number) => Math.max(0, Math.min(240, advskew + state.sysctl.demotion));
  return {
    groups: state.vhids
      .filter((v) => v.addresses.length)
      .map((v) => ({ vhid: v.vhid, interface: v.parent, addresses: [...v.addresses], password: v.password, advbase: v.advbase, advskew: wire(v.advskew), neutral: false })),
    preempt: state.sysctl.preempt === 1,
  };
}
