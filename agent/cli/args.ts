// Command-line parsing for carp-agent (pure): subcommands, and ucarp's long/short options for `run`.
import { parseAgentConfig, ConfigError, type AgentConfig } from '../config/schema.js';
import { DEFAULT_CONFIG_PATH } from '../config/store.js';
import { DEFAULT_SOCKET_PATH } from '../control/server.js';
import { readFileSync } from 'node:fs';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Parsed =
  /** warnings: to print on stderr before running (e.g. a password given with --pass). */
  | { cmd: 'run'; socket: string; configPath: string; statePath?: string; inline?: AgentConfig; warnings?: string[] }
  | { cmd: 'supervise'; socket: string; configPath: string; statePath?: string }
  | { cmd: 'cleanup'; socket: string; configPath: string }
  | { cmd: 'status'; socket: string; json: boolean }
  | { cmd: 'demote'; socket: string; op: 'set' | 'add'; value: number }
  | { cmd: 'maintenance'; socket: string; on: boolean }
  | { cmd: 'set'; socket: string; vhid: number; key: 'advskew' | 'advbase' | 'preempt'; value: number | boolean }
  | { cmd: 'log'; socket: string; level: number }
  | { cmd: 'allow'; socket: string; on: boolean; persist: boolean }
  | { cmd: 'attach'; socket: string }
  | { cmd: 'version' }
  | { cmd: 'help' };

export const USAGE = `usage: carp-agent <command> [--socket PATH]
  run --config FILE [--state FILE]      run every group of FILE (default ${DEFAULT_CONFIG_PATH})
  run --interface IF --vhid N --passfile FILE --addr IP [--srcip IP] [--advbase S] [--advskew N]
      [--preempt] [--neutral] [--upscript F] [--downscript F] [--xparam V] [--state FILE]
                                        one group, ucarp's options and meanings; the password is
                                        the first line of FILE (mode 0600). --pass P works too, but
                                        every user of the host sees it in ps and /proc: avoid it
                                        (state default /run/carp-agent-ucarp-VHID.state.json)
  supervise --config FILE [--state FILE]
                                        run the agent as a child: when it dies (kill -9, OOM, crash)
                                        remove its virtual addresses at once, then restart it
                                        (backoff 1 s doubling to 30 s; reset after 1 min up)
  cleanup --config FILE                 remove the virtual addresses of FILE from their interfaces
                                        (refused while an agent answers on the socket)
  status [--json]                       groups, states and counters
  demote N|+N|-N                        set or change the demotion counter (0..255)
  maintenance on|off                    hand every group to a peer (kept across restarts)
  set VHID advskew|advbase|preempt VALUE
  set log N                             syslog level of CARP messages 0..7 (net.inet.carp.log; 2 = state
                                        changes, 7 = debug) until a restart (the config's "log" keeps it)
  allow on|off [--persist]              take part in CARP or not (net.inet.carp.allow): off hands over
                                        where master, then stops; --persist keeps it across restarts
  attach                                bridge stdin/stdout to the control socket (JSON lines)
  version
--socket PATH defaults to ${DEFAULT_SOCKET_PATH}.`;

/** ucarp option -> [long name, takes a value]. */
const UCARP: Record<string, [string, boolean]> = {
  i: ['interface', true], s: ['srcip', true], v: ['vhid', true], p: ['pass', true], o: ['passfile', true],
  a: ['addr', true], b: ['advbase', true], k: ['advskew', true], P: ['preempt', false], n: ['neutral', false],
  u: ['upscript', true], d: ['downscript', true], x: ['xparam', true], r: ['deadratio', true],
  z: ['shutdown', false], B: ['daemonize', false], D: ['debug', false], S: ['ignoreifstate', false],
  M: ['nomcast', false], f: ['facility', true],
};
const LONG_VALUE = new Set(['config', 'state', 'socket', 'mcast', 'mcastip', ...Object.values(UCARP).filter(([, v]) => v).map(([n]) => n)]);
const LONG_FLAG = new Set(['json', 'help', 'persist', ...Object.values(UCARP).filter(([, v]) => !v).map(([n]) => n)]);

interface Opts {
  values: Map<string, string>;
  flags: Set<string>;
  positional: string[];
}

function parseOpts(argv: string[]): Opts {
  const o: Opts = { values: new Map(), flags: new Set(), positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      o.positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (LONG_VALUE.has(name)) {
        const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`--${name} needs a value`);
        o.values.set(name, v);
      } else if (LONG_FLAG.has(name)) {
        if (eq >= 0) throw new UsageError(`--${name} takes no value`);
        o.flags.add(name);
      } else throw new UsageError(`unknown option --${name}\n${USAGE}`);
    } else if (/^-[A-Za-z]/.test(a)) {
      const spec = UCARP[a[1]];
      if (!spec) throw new UsageError(`unknown option ${a}\n${USAGE}`);
      const [name, takes] = spec;
      if (takes) {
        const v = a.length > 2 ? a.slice(2) : argv[++i];
        if (v === undefined) throw new UsageError(`${a} (--${name}) needs a value`);
        o.values.set(name, v);
      } else o.flags.add(name);
    } else o.positional.push(a);
  }
  return o;
}

function int(s: string, what: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new UsageError(`${what} must be a whole number, got "${s}"`);
  return Number(s);
}

const UCARP_FIELDS: Record<string, string> = { password: 'pass', addresses: 'addr' };

/** Builds a one-group config from ucarp's options; errors name the option. */
export function ucarpConfig(o: Opts): AgentConfig {
  const v = (k: string) => o.values.get(k);
  const unsupported: string[] = [];
  if (o.flags.has('daemonize')) unsupported.push('--daemonize (run it under your service manager instead)');
  if (o.flags.has('nomcast')) unsupported.push('--nomcast (adverts always go to 224.0.0.18 as multicast)');
  const mc = v('mcast') ?? v('mcastip');
  if (mc !== undefined && mc !== '224.0.0.18') unsupported.push(`--mcast ${mc} (only 224.0.0.18 is supported)`);
  if (v('deadratio') !== undefined && v('deadratio') !== '3') unsupported.push('--deadratio other than 3');
  if (unsupported.length) throw new UsageError(`not supported by carp-agent: ${unsupported.join(', ')}`);
  for (const req of ['interface', 'vhid', 'addr']) {
    if (v(req) === undefined) throw new UsageError(`--${req} is required when running one group with ucarp's options`);
  }
  let pass = v('pass');
  if (pass === undefined && v('passfile') !== undefined) {
    try {
      pass = readFileSync(v('passfile')!, 'utf8').split('\n')[0] ?? '';
    } catch (e) {
      throw new UsageError(`--passfile ${v('passfile')}: ${(e as Error).message}`);
    }
  }
  if (pass === undefined) throw new UsageError('--passfile FILE is required (a file holding the password on its first line; --pass P works too but shows the password to every user of the host)');
  const group: Record<string, unknown> = {
    vhid: int(v('vhid')!, '--vhid'),
    interface: v('interface'),
    addresses: [v('addr')],
    password: pass,
    preempt: o.flags.has('preempt'),
    neutral: o.flags.has('neutral'),
  };
  if (v('advbase') !== undefined) group.advbase = int(v('advbase')!, '--advbase');
  if (v('advskew') !== undefined) group.advskew = int(v('advskew')!, '--advskew');
  for (const k of ['srcip', 'upscript', 'downscript', 'xparam']) if (v(k) !== undefined) group[k] = v(k);
  try {
    return parseAgentConfig({ groups: [group] }, 'command line');
  } catch (e) {
    if (e instanceof ConfigError) {
      const lines = e.problems.map((p) => p.replace(/^groups\[0\]\.(\w+)(\[\d+\])?/, (_m, f: string) => `--${UCARP_FIELDS[f] ?? f}`));
      throw new UsageError(`invalid options:\n  ${lines.join('\n  ')}`);
    }
    throw e;
  }
}

/** Printed on stderr when the password comes from --pass (-p). */
export const PASS_WARNING =
  'carp-agent: warning: --pass puts the password on the command line, where every user of this host can read it (ps, /proc/PID/cmdline); ' +
  'put it on the first line of a file only root can read (chmod 600) and use --passfile FILE instead';

/** State file of a group run with ucarp's options: one per vhid, never the real agent's state.json. */
export function inlineStatePath(vhid: number): string {
  return `/run/carp-agent-ucarp-${vhid}.state.json`;
}

const BOOL: Record<string, boolean> = { on: true, off: false, true: true, false: false, yes: true, no: false, '1': true, '0': false };

export function parseArgs(argv: string[]): Parsed {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') return { cmd: 'help' };
  // demote -N must not be read as an option
  const o = sub === 'demote' || sub === 'set' ? splitNegative(rest) : parseOpts(rest);
  const socket = o.values.get('socket') ?? DEFAULT_SOCKET_PATH;
  const noPositional = () => {
    if (o.positional.length) throw new UsageError(`carp-agent ${sub}: unexpected argument "${o.positional[0]}"`);
  };
  switch (sub) {
    case 'run': {
      noPositional();
      const ucarpGiven = Object.values(UCARP).some(([n]) => o.values.has(n) || o.flags.has(n));
      if (ucarpGiven && o.values.has('config')) throw new UsageError('give either --config FILE or ucarp options, not both');
      const inline = ucarpGiven ? ucarpConfig(o) : undefined;
      // An inline group must not share the real agent's state.json (its maintenance/demotion).
      const statePath = o.values.get('state') ?? (inline ? inlineStatePath(inline.groups[0].vhid) : undefined);
      return {
        cmd: 'run',
        socket,
        configPath: o.values.get('config') ?? DEFAULT_CONFIG_PATH,
        ...(statePath ? { statePath } : {}),
        ...(inline ? { inline } : {}),
        ...(o.values.has('pass') ? { warnings: [PASS_WARNING] } : {}),
      };
    }
    case 'supervise':
    case 'cleanup': {
      noPositional();
      if (Object.values(UCARP).some(([n]) => o.values.has(n) || o.flags.has(n))) {
        throw new UsageError(`carp-agent ${sub} works with a config file (--config FILE), not ucarp's options`);
      }
      const configPath = o.values.get('config') ?? DEFAULT_CONFIG_PATH;
      if (sub === 'cleanup') return { cmd: 'cleanup', socket, configPath };
      const statePath = o.values.get('state');
      return { cmd: 'supervise', socket, configPath, ...(statePath ? { statePath } : {}) };
    }
    case 'status':
      noPositional();
      return { cmd: 'status', socket, json: o.flags.has('json') };
    case 'demote': {
      const [n, extra] = o.positional;
      if (n === undefined || extra !== undefined) throw new UsageError('usage: carp-agent demote N|+N|-N');
      if (!/^[+-]?\d+$/.test(n)) throw new UsageError(`demote takes N, +N or -N (a whole number), got "${n}"`);
      return /^[+-]/.test(n) ? { cmd: 'demote', socket, op: 'add', value: Number(n) } : { cmd: 'demote', socket, op: 'set', value: Number(n) };
    }
    case 'maintenance': {
      const [w, extra] = o.positional;
      if ((w !== 'on' && w !== 'off') || extra !== undefined) throw new UsageError('usage: carp-agent maintenance on|off');
      return { cmd: 'maintenance', socket, on: w === 'on' };
    }
    case 'set': {
      if (o.positional[0] === 'log') {
        const [, n, more] = o.positional;
        if (n === undefined || more !== undefined) throw new UsageError('usage: carp-agent set log N (0..7)');
        const level = int(n, 'log');
        if (level < 0 || level > 7) throw new UsageError(`log takes a syslog level 0..7 (2 = crit, the default: state changes; 7 = debug), got ${level}`);
        return { cmd: 'log', socket, level };
      }
      const [vh, key, val, extra] = o.positional;
      if (vh === undefined || key === undefined || val === undefined || extra !== undefined) {
        throw new UsageError('usage: carp-agent set VHID advskew|advbase|preempt VALUE');
      }
      const vhid = int(vh, 'VHID');
      if (key === 'preempt') {
        const b = BOOL[val.toLowerCase()];
        if (b === undefined) throw new UsageError(`preempt takes on|off, got "${val}"`);
        return { cmd: 'set', socket, vhid, key, value: b };
      }
      if (key !== 'advskew' && key !== 'advbase') throw new UsageError(`set: unknown key "${key}"; use advskew, advbase or preempt`);
      return { cmd: 'set', socket, vhid, key, value: int(val, key) };
    }
    case 'allow': {
      const [w, extra] = o.positional;
      if ((w !== 'on' && w !== 'off') || extra !== undefined) throw new UsageError('usage: carp-agent allow on|off [--persist]');
      // on always clears an off kept in state.json: --persist changes nothing there
      return { cmd: 'allow', socket, on: w === 'on', persist: o.flags.has('persist') };
    }
    case 'attach':
      noPositional();
      return { cmd: 'attach', socket };
    case 'version':
    case '--version':
      return { cmd: 'version' };
    default:
      throw new UsageError(`unknown command "${sub}"\n${USAGE}`);
  }
}

/** For demote/set: only --socket is an option, everything else (including -5) is positional. */
function splitNegative(argv: string[]): Opts {
  const o: Opts = { values: new Map(), flags: new Set(), positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--socket') {
      const v = argv[++i];
      if (v === undefined) throw new UsageError('--socket needs a value');
      o.values.set('socket', v);
    } else if (a.startsWith('--socket=')) o.values.set('socket', a.slice(9));
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else o.positional.push(a);
  }
  return o;
}
