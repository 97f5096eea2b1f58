// Fake agents and transports for unit tests: they speak the real control protocol (JSON lines
// validated with the contract's schemas) and run a simplified election, so the core's links,
// two-phase apply and maintenance driver are tested end to end without SSH or a lab.
// This stands in only because real agents need root, namespaces and raw sockets (lab tests do that).
import type { AgentEvent, AllowStatus, ApplyResult, Command, ForeignAdvert, GroupStatus, InterfaceReport, Snapshot } from '../../../agent/control/messages.js';
import { parseCommand } from '../../../agent/control/messages.js';
import type { GroupConfig } from '../../../agent/config/schema.js';
import { GroupConfigSchema, describeIssues } from '../../../agent/config/schema.js';
import { passwordCheckSync } from '../../../agent/config/password-check.js';
import { electionValues } from '../../../agent/engine/engine.js';
import { bestOf } from '../../../agent/engine/election.js';
import type { ExecResult, HostSpec, HostTransport, LineChannel } from '../transport.js';

const SEGMENT = '198.18.0.0/24';

export class FakeChannel implements LineChannel {
  private lineCb: (l: string) => void = () => {};
  private closeCbs: Array<(e?: Error) => void> = [];
  closed = false;
  constructor(
    private readonly agent: FakeAgent,
  ) {}
  onLine(cb: (line: string) => void): void {
    this.lineCb = cb;
  }
  onClose(cb: (err?: Error) => void): void {
    this.closeCbs.push(cb);
  }
  write(line: string): void {
    if (this.closed) throw new Error('channel closed');
    setTimeout(() => this.agent.receive(this, line), 0);
  }
  close(): void {
    this.end();
  }
  /** Agent side. */
  send(obj: unknown): void {
    if (!this.closed) this.lineCb(JSON.stringify(obj));
  }
  sendRaw(line: string): void {
    if (!this.closed) this.lineCb(line);
  }
  end(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.agent.channels.delete(this);
    for (const cb of this.closeCbs) cb(err);
  }
}

interface RunningGroup {
  config: GroupConfig;
  state: 'INIT' | 'BACKUP' | 'MASTER';
  since: number;
}

export class FakeAgent {
  readonly channels = new Set<FakeChannel>();
  groups: RunningGroup[] = [];
  maintenance = false;
  demote = 0;
  /** net.inet.carp.allow: off takes this agent's groups out of every election (INIT), at once. */
  allow: AllowStatus = { allowed: true, leaving: false, persistedOff: false };
  log = 2;
  /**
   * net.inet.carp.arpbalance (set by putGroup's `arpbalance`): groups sharing their addresses report `balanced`.
   * Reported in the snapshot once set (undefined: not reported, as an older agent).
   */
  arpbalance: boolean | undefined = undefined;
  revision = 1;
  /** Like the real agent's rollback history: the groups before and after each revision. */
  private history = new Map<number, { before: GroupConfig[]; after: GroupConfig[] }>();
  startedAt = Date.now();
  pid = 1000;
  up = true;
  /** Set to make the real (non-dry-run) apply of a config command fail with this error. */
  failApply: { code: string; message: string } | null = null;
  /** Set to refuse even dry runs. */
  refuse: { code: string; message: string } | null = null;
  /** Stop answering and sending heartbeats (like SIGSTOP). */
  frozen = false;
  readonly received: Command[] = [];
  /** Protocol-112 senders this agent reports (setForeign: also sent as a 'foreign' event). */
  foreign: ForeignAdvert[] = [];

  constructor(
    readonly net: FakeNet,
    readonly host: string,
    readonly srcip: string,
  ) {}

  /** The interfaces this agent reports: eth0 on the fake LAN (198.18.0.0/24) with its address, link up. */
  interfaces(): InterfaceReport[] {
    const n = Number(this.srcip.split('.')[3]);
    return [{ name: 'eth0', addresses: [`${this.srcip}/24`], segments: [SEGMENT], up: true, mac: `02:00:00:00:00:${n.toString(16).padStart(2, '0')}` }];
  }

  /** Replaces the senders this agent reports, and tells its clients (a 'foreign' event, as the real agent does). */
  setForeign(list: ForeignAdvert[]): void {
    this.foreign = list;
    this.emit({ kind: 'foreign', at: Date.now(), foreign: list });
  }

  configs(): GroupConfig[] {
    return this.groups.map((g) => g.config);
  }

  /** Where a group runs: the fake LAN and this agent's address (sim-fleet.ts: one segment per interface). */
  protected placeOf(_c: GroupConfig): { segment: string; srcip: string } {
    return { segment: SEGMENT, srcip: this.srcip };
  }

  /** The real derivation (cached per config), on this thread: a fake's status is synchronous. */
  protected passwordCheckOf(c: GroupConfig): string {
    return passwordCheckSync(c.vhid, c.password, c.addresses);
  }

  status(g: RunningGroup): GroupStatus {
    const c = g.config;
    return {
      vhid: c.vhid,
      ...(c.name ? { name: c.name } : {}),
      interface: c.interface,
      ...this.placeOf(c),
      addresses: c.addresses,
      state: g.state,
      since: g.since,
      advbase: c.advbase,
      advskew: c.advskew,
      wireAdvskew: this.maintenance ? 240 : c.advskew,
      wireAdvbase: c.advbase,
      demote: this.maintenance ? 255 : this.demote,
      preempt: c.preempt ?? false,
      passwordCheck: this.passwordCheckOf(c),
      lastAdvert: null,
      sent: 0,
      received: 0,
      drops: {},
      ...this.balancedOf(c),
    };
  }

  /** Like the agent: with arpbalance, the vhids of the groups on this interface with exactly these addresses (2 or more). */
  private balancedOf(c: GroupConfig): { balanced?: number[] } {
    if (!this.arpbalance) return {};
    const set = [...c.addresses].sort().join();
    const vhids = this.configs().filter((x) => x.interface === c.interface && [...x.addresses].sort().join() === set).map((x) => x.vhid);
    return vhids.length > 1 ? { balanced: vhids.sort((a, b) => a - b) } : {};
  }

  snapshot(): Snapshot {
    return {
      type: 'snapshot',
      protocol: 1,
      agent: { version: '0.1.0+fake', hostname: this.host, pid: this.pid, startedAt: this.startedAt, uptimeMs: Date.now() - this.startedAt, configPath: '/etc/carp-agent/config.json', configRevision: this.revision },
      demote: this.maintenance ? 255 : this.demote,
      maintenance: this.maintenance,
      allow: { ...this.allow },
      log: this.log,
      ...(this.arpbalance !== undefined ? { arpbalance: this.arpbalance } : {}),
      groups: this.groups.map((g) => this.status(g)),
      interfaces: this.interfaces(),
      foreign: this.foreign,
      unmatchedDrops: {},
    };
  }

  attach(): FakeChannel {
    const ch = new FakeChannel(this);
    this.channels.add(ch);
    setTimeout(() => ch.send(this.snapshot()), 1);
    return ch;
  }

  heartbeat(): void {
    if (this.frozen || !this.up) return;
    for (const ch of this.channels) ch.send({ type: 'heartbeat', at: Date.now() });
  }

  emit(event: AgentEvent): void {
    for (const ch of this.channels) ch.send({ type: 'event', event });
  }

  receive(ch: FakeChannel, line: string): void {
    if (this.frozen || !this.up) return;
    let cmd: Command;
    try {
      cmd = parseCommand(line);
    } catch (err) {
      ch.send({ type: 'reply', id: 0, ok: false, error: { code: 'invalid', message: (err as Error).message } });
      return;
    }
    try {
      ch.send({ type: 'reply', id: cmd.id, ok: true, result: this.execute(cmd) });
    } catch (err) {
      const e = err as { code?: string; message: string };
      ch.send({ type: 'reply', id: cmd.id, ok: false, error: { code: e.code ?? 'failed', message: e.message } });
    }
  }

  private commit(next: GroupConfig[], dryRun: boolean): ApplyResult {
    const before = new Map(this.configs().map((c) => [`${c.interface}/${c.vhid}`, c]));
    const after = new Map(next.map((c) => [`${c.interface}/${c.vhid}`, c]));
    const added = [...after.keys()].filter((k) => !before.has(k)).map((k) => after.get(k)!.vhid);
    const removed = [...before.keys()].filter((k) => !after.has(k)).map((k) => before.get(k)!.vhid);
    const changed = [...after.keys()].filter((k) => before.has(k) && JSON.stringify(before.get(k)) !== JSON.stringify(after.get(k))).map((k) => after.get(k)!.vhid);
    // Like the real agent (agent/runtime/runtime.ts): a dry run, or a change that changes nothing, keeps the revision.
    if (dryRun || added.length + removed.length + changed.length === 0) return { revision: this.revision, dryRun, added, removed, changed };
    if (this.failApply) throw Object.assign(new Error(this.failApply.message), { code: this.failApply.code });
    this.history.set(this.revision + 1, { before: this.configs(), after: next });
    this.revision++;
    const now = Date.now();
    this.groups = next.map((c) => {
      const old = this.groups.find((g) => g.config.interface === c.interface && g.config.vhid === c.vhid);
      return { config: c, state: old?.state ?? 'BACKUP', since: old?.since ?? now };
    });
    this.emit({ kind: 'config', at: now, revision: this.revision, added, removed, changed });
    this.net.elect();
    return { revision: this.revision, dryRun: false, added, removed, changed };
  }

  execute(cmd: Command): unknown {
    this.received.push(cmd);
    if (this.refuse && 'dryRun' in cmd) throw Object.assign(new Error(this.refuse.message), { code: this.refuse.code });
    switch (cmd.cmd) {
      case 'status':
        return this.snapshot();
      case 'maintenance':
        this.maintenance = cmd.on;
        this.emit({ kind: 'demotion', at: Date.now(), demote: this.maintenance ? 255 : this.demote, maintenance: this.maintenance });
        this.net.elect();
        return { maintenance: this.maintenance };
      case 'demote': {
        const v = cmd.op === 'set' ? cmd.value : this.demote + cmd.value;
        if (v < 0 || v > 255) throw Object.assign(new Error(`demote ${v} is outside 0..255`), { code: 'invalid' });
        this.demote = v;
        this.emit({ kind: 'demotion', at: Date.now(), demote: v, maintenance: this.maintenance });
        this.net.elect();
        return { demote: v };
      }
      case 'set': {
        const g = this.groups.find((x) => x.config.vhid === cmd.vhid);
        if (!g) throw Object.assign(new Error(`no group with vhid ${cmd.vhid}`), { code: 'unknown-vhid' });
        // Like the agent: the changed group must still pass its schema (e.g. advbase 0 needs advskew 1..254).
        const changed = GroupConfigSchema.safeParse({ ...g.config, [cmd.key]: cmd.value });
        if (!changed.success) throw Object.assign(new Error(describeIssues(changed.error).join('; ')), { code: 'invalid' });
        return this.commit(this.configs().map((c) => (c === g.config ? changed.data : c)), false);
      }
      case 'putGroup': {
        const group = GroupConfigSchema.parse(cmd.group);
        const rest = this.configs().filter((c) => !(c.interface === group.interface && c.vhid === group.vhid));
        const was = this.arpbalance;
        if (cmd.arpbalance !== undefined && !cmd.dryRun) this.arpbalance = cmd.arpbalance;
        try {
          return this.commit([...rest, group], cmd.dryRun ?? false);
        } catch (e) {
          this.arpbalance = was;
          throw e;
        }
      }
      case 'deleteGroup': {
        const rest = this.configs().filter((c) => !(c.vhid === cmd.vhid && (!cmd.interface || c.interface === cmd.interface)));
        if (rest.length === this.groups.length) throw Object.assign(new Error(`no group with vhid ${cmd.vhid}`), { code: 'unknown-vhid' });
        return this.commit(rest, cmd.dryRun ?? false);
      }
      case 'apply':
        return this.commit(cmd.config.groups, cmd.dryRun ?? false);
      case 'allow':
        this.allow = { allowed: cmd.on, leaving: false, persistedOff: !cmd.on && (cmd.persist === true || this.allow.persistedOff) };
        this.emit({ kind: 'demotion', at: Date.now(), demote: this.maintenance ? 255 : this.demote, maintenance: this.maintenance, allow: { ...this.allow } });
        this.net.elect();
        return { ...this.allow };
      case 'log':
        this.log = cmd.level;
        return { log: cmd.level };
      case 'rollback': {
        // As agent/runtime/runtime.ts: while what the revision did still runs (later ones undone first).
        const kept = this.history.get(cmd.revision);
        if (!kept || JSON.stringify(kept.after) !== JSON.stringify(this.configs())) throw Object.assign(new Error(`cannot roll back revision ${cmd.revision}`), { code: 'conflict' });
        const prev = kept.before;
        const saved = this.failApply;
        this.failApply = null;
        try {
          return this.commit(prev, false);
        } finally {
          this.failApply = saved;
        }
      }
    }
  }

  /** Host goes away: channels die, nothing answers. */
  crash(): void {
    this.up = false;
    for (const ch of [...this.channels]) ch.end(new Error('connection reset'));
    for (const g of this.groups) g.state = 'INIT';
    this.net.elect();
  }

  boot(): void {
    this.up = true;
    this.startedAt = Date.now();
    this.pid++;
    for (const g of this.groups) g.state = 'BACKUP';
    this.net.elect();
  }
}

/** A LAN of fake agents: after every change, each (vhid) group elects like the agents would. */
export class FakeNet {
  readonly agents = new Map<string, FakeAgent>();
  /** How long a master takes to hand over after being demoted (ms, via setTimeout). 0 = at once. */
  handoverDelayMs = 0;
  private heartbeatTimer: NodeJS.Timeout | null = null;

  add(host: string): FakeAgent {
    const a = new FakeAgent(this, host, `198.18.0.${this.agents.size + 1}`);
    this.agents.set(host, a);
    return a;
  }

  /** Each agent beats every `ms`; like real agents started at different times, not all at once (a tenth of them per tick). */
  startHeartbeats(ms = 1000): void {
    const slices = 10;
    let tick = 0;
    this.heartbeatTimer = setInterval(() => {
      const slice = ++tick % slices; // the first agent beats at ms, 2 ms… as if alone
      let i = 0;
      for (const a of this.agents.values()) if (i++ % slices === slice) a.heartbeat();
    }, ms / slices);
  }

  stop(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
  }

  elect(): void {
    if (this.handoverDelayMs > 0) setTimeout(() => this.electNow(), this.handoverDelayMs);
    else this.electNow();
  }

  private electNow(): void {
    const vhids = new Set<number>();
    for (const a of this.agents.values()) for (const g of a.groups) vhids.add(g.config.vhid);
    for (const vhid of vhids) {
      for (const a of this.agents.values()) {
        if (!a.up || a.allow.allowed) continue;
        for (const g of a.groups.filter((x) => x.config.vhid === vhid && x.state !== 'INIT')) {
          const from = g.state;
          g.state = 'INIT';
          g.since = Date.now();
          a.emit({ kind: 'state', at: g.since, vhid, interface: g.config.interface, from, to: 'INIT', reason: 'allow off' });
        }
      }
      const members = [...this.agents.values()].flatMap((a) => (a.up && a.allow.allowed ? a.groups.filter((g) => g.config.vhid === vhid).map((g) => ({ a, g })) : []));
      if (!members.length) continue;
      // The agent's own comparison (agent/engine/election.ts). A tie is a race the protocol leaves open:
      // a tied member that is MASTER keeps the group (a tie never preempts), else the first one wins.
      const ranked = members.map((m) => ({ ...electionValues({ vhid, advbase: m.g.config.advbase, advskew: m.g.config.advskew, demote: m.a.demote, preempt: m.g.config.preempt ?? false, maintenance: m.a.maintenance }), m }));
      const tied = bestOf(ranked).map((x) => x.m);
      const best = tied.find((m) => m.g.state === 'MASTER') ?? tied[0];
      for (const m of members) {
        const to = m === best ? 'MASTER' : 'BACKUP';
        if (m.g.state !== to) {
          const from = m.g.state;
          m.g.state = to;
          m.g.since = Date.now();
          if (!m.a.frozen) m.a.emit({ kind: 'state', at: m.g.since, vhid, interface: m.g.config.interface, from, to, reason: to === 'MASTER' ? 'fake election won' : 'fake election lost' });
        }
      }
    }
  }
}

export class FakeTransport implements HostTransport {
  readonly host: HostSpec;
  reachable = true;
  readonly execs: string[] = [];
  /** The command lines of the line channels opened (`carp-agent attach`). */
  readonly lineCommands: string[] = [];
  /** Called for `reboot`; defaults to crash now and boot after rebootMs. */
  rebootMs = 50;
  constructor(readonly agent: FakeAgent) {
    this.host = { name: agent.host, address: agent.srcip.replace('198.18.', '198.19.'), port: 22, user: 'root', identityFiles: [], tags: [] };
  }
  async exec(command: string): Promise<ExecResult> {
    this.execs.push(command);
    if (!this.reachable || !this.agent.up) throw new Error(`${this.host.name}: connect ECONNREFUSED`);
    if (command.trim() === 'reboot') {
      setTimeout(() => {
        this.agent.crash();
        setTimeout(() => this.agent.boot(), this.rebootMs);
      }, 1);
    }
    return { code: 0, stdout: '', stderr: '' };
  }
  async openLines(command?: string): Promise<LineChannel> {
    this.lineCommands.push(command ?? '');
    if (!this.reachable || !this.agent.up) throw new Error(`${this.host.name}: connect ECONNREFUSED`);
    return this.agent.attach();
  }
  async upload(): Promise<void> {}
  close(): void {}
}

/** A fleet of n fake hosts fw1..fwn with heartbeats running. */
export function fakeFleet(n: number, heartbeatMs = 1000): { net: FakeNet; agents: FakeAgent[]; transports: FakeTransport[] } {
  const net = new FakeNet();
  const agents = Array.from({ length: n }, (_, i) => net.add(`fw${i + 1}`));
  net.startHeartbeats(heartbeatMs);
  return { net, agents, transports: agents.map((a) => new FakeTransport(a)) };
}
