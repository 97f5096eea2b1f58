// Shared pieces of the fault suite (e2e/faults): the demo group on a lab's own LAN, the agents' own
// view read straight from their control sockets (not through the console), a timeline of what the
// console showed, and the process-level tools the faults need (freeze one agent, not every node).
import { createConnection, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import type { Lab } from '../lab/index.js';
import { run } from '../lab/run.js';
import type { Console } from '../../electron/core/console.js';
import type { GroupSpecInput } from '../../electron/core/commands/group-spec.js';
import type { Fleet } from '../../electron/core/fleet/types.js';
import { parseAgentMessage, type CarpState, type Snapshot } from '../../agent/control/messages.js';
import { ControlClient } from '../../agent/control/client.js';
import { waitFor } from '../wait.js';
import { afterAll, beforeAll } from 'vitest';
import { consoleLab, closeConsoleLab, type ConsoleLab } from '../core/console-lab.js';
import { advertPeriodMs } from '../../agent/engine/timers.js';

export { sleep, waitFor } from '../wait.js';

export const PASSWORD = 'demo-secret';

/** e2e/demo/group.yaml on lab `id`'s LAN: vhid 1, VIP 198.18.<id>.100/24, fw1 0 / fw3 50 / fw2 100, preempt. */
export function demoGroup(id: number, over: Partial<GroupSpecInput> = {}): GroupSpecInput {
  return {
    vhid: 1,
    name: 'lan-gateway',
    interface: 'eth0',
    addresses: [`198.18.${id}.100/24`],
    password: PASSWORD,
    advbase: 1,
    members: [
      { host: 'fw1', advskew: 0, preempt: true },
      { host: 'fw2', advskew: 100, preempt: true },
      { host: 'fw3', advskew: 50, preempt: true },
    ],
    ...over,
  };
}

/** Applies the demo group through the console and waits until the console shows fw1 as its one master. */
export async function applyDemoGroup(c: Console, id: number): Promise<void> {
  const r = await c.applyGroup(demoGroup(id));
  if (!r.ok) throw new Error(`applying the demo group failed: ${r.summary}`);
  await waitFor(() => c.fleetNow().groups.length === 1 && c.fleetNow().groups[0].master === 'fw1' && c.fleetNow().groups[0].members.length === 3, 15_000, 'fw1 the one master of vhid 1 in the console');
}

/**
 * The file's lab for a fault test: 3 hosts, the agent deployed and the demo group applied (fw1 master),
 * healed and closed after the file. A test that restarts the console replaces `f.x`, and the
 * replacement is what gets closed.
 */
export function useFaultLab(id: number): { x?: ConsoleLab } {
  const f: { x?: ConsoleLab } = {};
  beforeAll(async () => {
    f.x = await consoleLab(id, { deploy: true });
    await applyDemoGroup(f.x.c, id);
  });
  afterAll(async () => {
    await f.x?.lab.healAll().catch(() => undefined);
    await closeConsoleLab(f.x);
  });
  return f;
}

/** Advert interval (ms) of a member with this advbase/advskew: the engine's own formula (agent/engine/timers.ts). */
export const intervalMs = advertPeriodMs;

// ---- processes ------------------------------------------------------------------------------

function argvOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Root-namespace pid of the host's agent daemon (`node …/carp-agent.js run …`). Not `lab.freeze(host,
 * 'node')`: that stops every node process of the host, including the `carp-agent attach` processes that
 * carry the console's SSH channels, so the console would lose the agent for a reason other than the fault.
 */
export async function agentDaemonPid(lab: Lab, host: string): Promise<number> {
  const r = await run('ip', ['netns', 'pids', lab.host(host).netns]);
  const pids = r.stdout
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((pid) => {
      const a = argvOf(pid);
      return a.some((x) => x.endsWith('carp-agent.js')) && a.includes('run');
    });
  if (pids.length !== 1) throw new Error(`${host}: expected one carp-agent daemon, found ${pids.length} (${pids.join(', ')})`);
  return pids[0];
}

/** Root-namespace pids of the host's processes whose argv[0] basename is `name` (sshd, node...). */
export async function hostPids(lab: Lab, host: string, name: string): Promise<number[]> {
  const r = await run('ip', ['netns', 'pids', lab.host(host).netns]);
  return r.stdout
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((pid) => {
      const a = argvOf(pid)[0] ?? '';
      return a === name || a.endsWith(`/${name}`) || a.startsWith(`${name}:`) || a.startsWith(`${name} `);
    });
}

export function isStopped(pid: number): boolean {
  try {
    return /\)\s+[Tt]\s/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

// ---- the agents' own view -------------------------------------------------------------------

/** The agent's snapshot now, over its control socket reached through the host's /run (no process in the host). */
export async function snapshotNow(lab: Lab, host: string): Promise<Snapshot> {
  const c = await ControlClient.connect(lab.machinePath(host, '/run/carp-agent.sock'));
  try {
    return await c.firstSnapshot();
  } finally {
    c.close();
  }
}

export interface StateSample {
  at: number;
  host: string;
  vhid: number;
  state: CarpState | 'NONE';
}

/**
 * Follows every agent over its control socket, reached from the machine through the host's /run
 * (a unix socket is not bound to a network namespace): the state each agent itself reports, with the
 * agent's own time stamps, independent of SSH and of the console. A frozen agent keeps its last state
 * (it still believes it, and its kernel still holds what it held); a stopped agent reports NONE.
 */
export class AgentWatch {
  readonly samples: StateSample[] = [];
  readonly snapshots = new Map<string, Snapshot>();
  private readonly socks = new Map<string, Socket>();
  private readonly current = new Map<string, CarpState | 'NONE'>();
  private stopped = false;

  constructor(
    private readonly lab: Lab,
    readonly hosts: string[],
    readonly vhid = 1,
  ) {
    for (const h of hosts) this.connect(h);
  }

  private record(host: string, state: CarpState | 'NONE', at: number): void {
    if (this.current.get(host) === state) return;
    this.current.set(host, state);
    this.samples.push({ at, host, vhid: this.vhid, state });
  }

  private connect(host: string): void {
    if (this.stopped) return;
    const s = createConnection(this.lab.machinePath(host, '/run/carp-agent.sock'));
    this.socks.set(host, s);
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.trim()) continue;
        const m = parseAgentMessage(line);
        if (m.type === 'snapshot') {
          this.snapshots.set(host, m);
          const g = m.groups.find((x) => x.vhid === this.vhid);
          this.record(host, g ? g.state : 'NONE', Date.now());
        } else if (m.type === 'event' && m.event.kind === 'state' && m.event.vhid === this.vhid) {
          this.record(host, m.event.to, m.event.at);
        } else if (m.type === 'event' && m.event.kind === 'config') {
          s.write(JSON.stringify({ id: 1, cmd: 'status' }) + '\n');
        } else if (m.type === 'reply' && m.ok && (m.result as { type?: string })?.type === 'snapshot') {
          const snap = m.result as Snapshot;
          this.snapshots.set(host, snap);
          const g = snap.groups.find((x) => x.vhid === this.vhid);
          this.record(host, g ? g.state : 'NONE', Date.now());
        }
      }
    });
    const retry = () => {
      if (this.socks.get(host) !== s) return;
      this.socks.delete(host);
      this.record(host, 'NONE', Date.now());
      if (!this.stopped) setTimeout(() => this.connect(host), 200);
    };
    s.on('error', retry);
    s.on('close', retry);
  }

  /** The state each host's agent reports now. */
  now(host: string): CarpState | 'NONE' | undefined {
    return this.current.get(host);
  }

  /** Hosts whose agent reports MASTER now. */
  masters(): string[] {
    return this.hosts.filter((h) => this.current.get(h) === 'MASTER');
  }

  /** Hosts whose agent reported MASTER at time t (from the time-ordered samples). */
  mastersAt(t: number): string[] {
    const st = new Map<string, string>();
    for (const s of [...this.samples].sort((a, b) => a.at - b.at)) {
      if (s.at > t) break;
      st.set(s.host, s.state);
    }
    return this.hosts.filter((h) => st.get(h) === 'MASTER');
  }

  /** Intervals [from, to) during which at least two agents reported MASTER (to = Infinity: still). */
  twoMasterIntervals(since = 0): Array<{ from: number; to: number; hosts: string[] }> {
    const out: Array<{ from: number; to: number; hosts: string[] }> = [];
    const st = new Map<string, string>();
    let open: { from: number; hosts: string[] } | null = null;
    for (const s of [...this.samples].sort((a, b) => a.at - b.at)) {
      st.set(s.host, s.state);
      const ms = this.hosts.filter((h) => st.get(h) === 'MASTER');
      if (ms.length >= 2 && !open) open = { from: s.at, hosts: ms };
      else if (ms.length >= 2 && open) open.hosts = [...new Set([...open.hosts, ...ms])];
      else if (ms.length < 2 && open) {
        out.push({ ...open, to: s.at });
        open = null;
      }
    }
    if (open) out.push({ ...open, to: Infinity });
    return out.filter((x) => x.to > since);
  }

  /** Transitions into MASTER after `since`. */
  becameMaster(since = 0): StateSample[] {
    const prev = new Map<string, string>();
    const out: StateSample[] = [];
    for (const s of [...this.samples].sort((a, b) => a.at - b.at)) {
      if (s.state === 'MASTER' && prev.get(s.host) !== 'MASTER' && s.at >= since) out.push(s);
      prev.set(s.host, s.state);
    }
    return out;
  }

  close(): void {
    this.stopped = true;
    for (const s of this.socks.values()) s.destroy();
    this.socks.clear();
  }
}

// ---- what the console showed ----------------------------------------------------------------

export interface FleetSample {
  at: number;
  /** Live members reporting MASTER in the one group (vhid 1), as the console has them. */
  masters: string[];
  splitBrain: boolean;
  /** Host -> status (live/stale/unreachable/no-agent). */
  status: Record<string, string>;
  /** Hosts with a 'maintenance' finding. */
  maintenance: string[];
  /** Hosts the console shows with maintenance on (HostView.maintenance). */
  inMaintenance: string[];
  findings: string[];
  /** Kinds of the findings with severity 'error'. */
  errors: string[];
}

export function sampleFleet(f: Fleet, vhid = 1): FleetSample {
  const g = f.groups.find((x) => x.vhid === vhid);
  return {
    at: f.at,
    masters: g ? [...g.masters] : [],
    splitBrain: f.findings.some((x) => x.kind === 'split-brain'),
    status: Object.fromEntries(f.hosts.map((h) => [h.host, h.status])),
    maintenance: f.findings.filter((x) => x.kind === 'maintenance').flatMap((x) => x.hosts),
    inMaintenance: f.hosts.filter((h) => h.maintenance).map((h) => h.host),
    findings: f.findings.map((x) => `${x.kind}:${x.hosts.join('+')}`),
    errors: f.findings.filter((x) => x.severity === 'error').map((x) => x.kind),
  };
}

/** Every fleet the console published, as samples (its own time stamps). */
export class ConsoleWatch {
  readonly samples: FleetSample[] = [];
  private readonly off: () => void;

  constructor(c: Console, vhid = 1) {
    this.samples.push(sampleFleet(c.fleetNow(), vhid));
    this.off = c.subscribe((e) => {
      if (e.type === 'fleet') this.samples.push(sampleFleet(e.fleet, vhid));
    });
  }

  /** Intervals during which the console showed a split-brain finding. */
  splitBrainIntervals(): Array<{ from: number; to: number; masters: string[] }> {
    const out: Array<{ from: number; to: number; masters: string[] }> = [];
    let open: { from: number; masters: string[] } | null = null;
    for (const s of this.samples) {
      if (s.splitBrain && !open) open = { from: s.at, masters: s.masters };
      else if (!s.splitBrain && open) {
        out.push({ ...open, to: s.at });
        open = null;
      }
    }
    if (open) out.push({ ...open, to: Infinity });
    return out;
  }

  first(pred: (s: FleetSample) => boolean, since = 0): FleetSample | undefined {
    return this.samples.find((s) => s.at >= since && pred(s));
  }

  close(): void {
    this.off();
  }
}

/**
 * Every interval in which the console showed split brain must lie within an interval in which two
 * agents themselves reported MASTER, allowing `lagMs` for the news to travel (agent -> SSH -> console)
 * at either end. Returns the console intervals that do not (empty: the finding was never false).
 */
export function falseSplitBrain(cw: ConsoleWatch, aw: AgentWatch, lagMs: number): Array<{ from: number; to: number; masters: string[] }> {
  const truth = aw.twoMasterIntervals();
  return cw.splitBrainIntervals().filter((c) => !truth.some((t) => c.from >= t.from && c.from <= t.to + lagMs && c.to <= t.to + lagMs));
}

/** "+123 ms" relative to t0, for logs. */
export const rel = (t: number, t0: number) => (Number.isFinite(t) ? `${t - t0 >= 0 ? '+' : ''}${Math.round(t - t0)} ms` : 'still');
