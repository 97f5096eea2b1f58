// The console's link to a kernel-CARP host (OpenBSD, FreeBSD, pfSense, OPNsense): no agent, only the
// base system's tools over SSH. It reads the whole CARP state with one exec (electron/core/kernel
// state-read) every second and at once when `route -n monitor` reports a change, reports it as an
// agent Snapshot with the same staleness rules, turns changes into agent events, and carries out the
// agent's commands with the system's own tools (commands.ts). Same surface as AgentLink.
import type { AgentEvent, Snapshot } from '../../../agent/control/messages.js';
import { HEARTBEAT_MS } from '../../../agent/control/messages.js';
import { AgentCommandError, awaitLive, hostReportOf, type AgentLinkHandlers, type CommandBody } from '../agent-link/agent-link.js';
import type { HostReport, HostStatus } from '../fleet/types.js';
import { hostKeyProblemOf, type HostKeyProblem, type HostTransport, type LineChannel } from '../transport.js';
import type { KernelSystem } from '../kernel/detect.js';
import type { KernelCarpState } from '../kernel/model.js';
import { parseKernelState, stateScript } from '../kernel/state-read.js';
import { KernelParseError } from '../kernel/errors.js';
import { redactedLine, shellLine, type KernelCommand } from '../kernel/command.js';
import { KernelRefused, needsSysrc, planKernelCommand } from './commands.js';
import { kernelSnapshot, updateSince, type SinceMap } from './snapshot.js';

export interface KernelLinkOptions {
  /** How often the state is read (ms); default HEARTBEAT_MS. */
  pollMs?: number;
  /** No successful read for this long: stale. Default 2.5 × HEARTBEAT_MS, as agents. */
  staleMs?: number;
  requestTimeoutMs?: number;
  now?: () => number;
}

/** The host's name and boot time, read once per (re)connection: a reboot changes the boot time. */
export const META_SCRIPT = 'uname -n; sysctl -n kern.boottime';

/** `sysctl -n kern.boottime`: OpenBSD prints epoch seconds, FreeBSD "{ sec = 1700000000, usec = 0 } Tue …". */
export function parseBoottime(text: string): number | null {
  const m = /sec = (\d+)/.exec(text) ?? /^\s*(\d{6,})\s*$/m.exec(text);
  return m ? Number(m[1]) * 1000 : null;
}

/** What a revision did, and how to put it back. */
interface Undo {
  revision: number;
  what: { added: number[]; removed: number[]; changed: number[] };
  commands: KernelCommand[];
}

export class KernelLink {
  readonly host: string;
  private status: HostStatus = 'unreachable';
  private error: string | undefined;
  private hostKey: HostKeyProblem | undefined;
  private lastSeen = 0;
  private state: KernelCarpState | undefined;
  private snapshot: Snapshot | undefined;
  private meta: { hostname: string; bootedAt: number } | undefined;
  private since: SinceMap = new Map();
  private revision = 1;
  private undo: Undo[] = [];
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private staleTimer: NodeJS.Timeout | null = null;
  private monitor: LineChannel | null = null;
  private monitorRetryAt = 0;
  private reading: Promise<void> | null = null;
  private again = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly waiters: Array<() => void> = [];
  private readonly opts: Required<KernelLinkOptions>;

  constructor(
    private readonly transport: HostTransport,
    readonly system: KernelSystem,
    private readonly handlers: AgentLinkHandlers = {},
    opts: KernelLinkOptions = {},
  ) {
    this.host = transport.host.name;
    this.opts = {
      pollMs: opts.pollMs ?? HEARTBEAT_MS,
      staleMs: opts.staleMs ?? 2.5 * HEARTBEAT_MS,
      requestTimeoutMs: opts.requestTimeoutMs ?? 15_000,
      now: opts.now ?? Date.now,
    };
  }

  report(): HostReport {
    const { host, status, lastSeen, snapshot, error, hostKey } = this;
    return hostReportOf({ host, status, lastSeen, snapshot, error, hostKey });
  }

  /** The "agent process" of a kernel host is its kernel: its boot time changes with a reboot. */
  agentId(): string | undefined {
    return this.meta ? `kernel@${this.meta.bootedAt}` : undefined;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.staleTimer = setInterval(() => this.checkStale(), Math.max(50, Math.floor(this.opts.staleMs / 10)));
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.staleTimer) clearInterval(this.staleTimer);
    this.timer = this.staleTimer = null;
    this.monitor?.close();
    this.monitor = null;
  }

  waitLive(timeoutMs: number): Promise<void> {
    if (this.status === 'live') return Promise.resolve();
    return awaitLive(this.waiters, timeoutMs, () => new AgentCommandError(this.host, 'timeout', `no state read from ${this.system.label} within ${timeoutMs} ms (${this.status}${this.error ? `: ${this.error}` : ''})`));
  }

  /** Carries out one agent command with the system's tools; one at a time. Rejects with AgentCommandError. */
  request(body: CommandBody, timeoutMs = this.opts.requestTimeoutMs): Promise<unknown> {
    const run = this.queue.then(() => this.carryOut(body, timeoutMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ---- reading ----------------------------------------------------------------------------

  private tick(): void {
    if (this.stopped) return;
    void this.read().finally(() => {
      if (this.stopped) return;
      this.timer = setTimeout(() => this.tick(), this.opts.pollMs);
    });
  }

  /** Reads the state now (a read already running is followed by one more, not run twice at once). */
  private read(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        await this.readOnce();
      } while (this.again && !this.stopped);
    })().finally(() => (this.reading = null));
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    try {
      if (!this.meta || this.status !== 'live') await this.readMeta();
      const r = await this.transport.exec(stateScript(this.system), { timeoutMs: this.opts.staleMs });
      if (this.stopped) return;
      const state = parseKernelState(this.system, r.stdout);
      this.accept(state);
      this.openMonitor();
    } catch (err) {
      if (this.stopped) return;
      const hostKey = hostKeyProblemOf(err);
      if (hostKey) this.hostKey = hostKey;
      if (!(err instanceof KernelParseError)) this.setStatus('unreachable', (err as Error).message);
      else this.handlers.onError?.('bad-read', `${this.host}: ${(err as Error).message}`);
    }
  }

  private async readMeta(): Promise<void> {
    const r = await this.transport.exec(META_SCRIPT, { timeoutMs: this.opts.staleMs });
    const [name = '', ...rest] = r.stdout.split('\n');
    const bootedAt = parseBoottime(rest.join('\n'));
    const was = this.meta?.bootedAt;
    this.meta = { hostname: name.trim() || this.host, bootedAt: bootedAt ?? was ?? this.opts.now() };
    // A new kernel: its revisions start again, and there is nothing of ours left to undo.
    if (was !== undefined && was !== this.meta.bootedAt) {
      this.revision = 1;
      this.undo = [];
    }
  }

  /** `route -n monitor` (one long-lived channel): any message means "read again now". */
  private openMonitor(): void {
    if (this.monitor || this.stopped || this.opts.now() < this.monitorRetryAt) return;
    // A monitor that fails or ends soon (no route(8) monitor there) is tried again a minute later, not per read.
    this.monitorRetryAt = this.opts.now() + 60_000;
    const opening = this.transport.openLines('exec route -n monitor');
    this.monitor = { onLine() {}, onClose() {}, write() {}, close() {} }; // taken while opening
    opening.then(
      (ch) => {
        if (this.stopped) return ch.close();
        this.monitor = ch;
        ch.onLine(() => void this.read());
        ch.onClose(() => {
          if (this.monitor === ch) this.monitor = null;
        });
      },
      () => {
        this.monitor = null;
      },
    );
  }

  private accept(state: KernelCarpState): void {
    const now = this.opts.now();
    const prev = this.state;
    this.state = state;
    this.since = updateSince(this.since, state.vhids, now);
    const snap = kernelSnapshot(state, { hostname: this.meta!.hostname, bootedAt: this.meta!.bootedAt, revision: this.revision, since: this.since, now });
    const before = this.snapshot;
    this.snapshot = snap;
    this.lastSeen = now;
    this.hostKey = undefined;
    for (const e of changes(prev, state, before, snap, now)) this.handlers.onEvent?.(e, now);
    const wasLive = this.status === 'live';
    this.status = 'live';
    this.error = undefined;
    if (!wasLive || !sameSnapshot(before, snap)) this.handlers.onReport?.(this.report());
    for (const w of this.waiters.splice(0)) w();
  }

  private checkStale(): void {
    if (this.status !== 'live') return;
    const silent = this.opts.now() - this.lastSeen;
    if (silent > this.opts.staleMs) this.setStatus('stale', `no state read from ${this.system.label} for ${silent} ms (read every ${this.opts.pollMs} ms)`);
  }

  private setStatus(status: HostStatus, error?: string): void {
    if (status === this.status && error === this.error) return;
    this.status = status;
    this.error = error;
    this.handlers.onReport?.(this.report());
  }

  // ---- commands ---------------------------------------------------------------------------

  private async carryOut(body: CommandBody, timeoutMs: number): Promise<unknown> {
    if (this.status !== 'live' || !this.state) {
      throw new AgentCommandError(this.host, 'disconnected', `${this.system.label} is ${this.status}${this.error ? ` (${this.error})` : ''}; command ${body.cmd} not sent`);
    }
    if (body.cmd === 'status') {
      await this.read();
      return this.snapshot;
    }
    if (body.cmd === 'rollback') return this.rollback(body.revision, timeoutMs);
    let plan;
    try {
      // FreeBSD keeps vhids in rc.conf: its alias lines are read first, to rewrite them without gaps.
      const reads = needsSysrc(body, this.state) ? { sysrcAll: (await this.execOk(['sysrc', '-a'], 'read /etc/rc.conf (sysrc -a)', timeoutMs)).stdout } : {};
      plan = planKernelCommand(body, this.state, this.revision, reads);
    } catch (e) {
      if (e instanceof KernelRefused) throw new AgentCommandError(this.host, e.code, e.message);
      throw e;
    }
    try {
      await this.runAll(plan.commands, timeoutMs);
    } catch (e) {
      // A change stopped half way is put back as far as it can be, then reported.
      if (plan.undo) await this.runAll(plan.undo, timeoutMs).catch(() => undefined);
      await this.read();
      throw e;
    }
    if (plan.undo) {
      const r = plan.reply as { revision: number; added: number[]; removed: number[]; changed: number[] };
      this.revision = r.revision;
      this.undo = [...this.undo, { revision: r.revision, what: { added: r.added, removed: r.removed, changed: r.changed }, commands: plan.undo }].slice(-4);
      this.handlers.onEvent?.({ kind: 'config', at: this.opts.now(), revision: r.revision, added: r.added, removed: r.removed, changed: r.changed }, this.opts.now());
    }
    await this.read();
    return plan.reply;
  }

  /** Undoes the newest revision this console made on the host (the next older after it, and so on). */
  private async rollback(revision: number, timeoutMs: number): Promise<unknown> {
    const top = this.undo.at(-1);
    if (!top || top.revision !== revision) {
      const kept = this.undo.map((u) => u.revision);
      throw new AgentCommandError(this.host, kept.includes(revision) ? 'conflict' : 'unknown-revision', kept.includes(revision) ? `revision ${revision} was followed by revision ${top!.revision}, still in force: roll that back first` : `revision ${revision} is not one this console made on ${this.host} since it connected (kept: ${kept.join(', ') || 'none'})`);
    }
    await this.runAll(top.commands, timeoutMs);
    this.undo = this.undo.slice(0, -1);
    this.revision++;
    await this.read();
    return { revision: this.revision, dryRun: false, added: top.what.removed, removed: top.what.added, changed: top.what.changed };
  }

  /** Runs a read-only tool (argv of plain words) and returns its output; rejects like runAll. */
  private async execOk(argv: string[], summary: string, timeoutMs: number): Promise<{ stdout: string }> {
    return this.runOne({ summary, argv, redactedArgv: argv }, timeoutMs);
  }

  private async runAll(commands: KernelCommand[], timeoutMs: number): Promise<void> {
    for (const c of commands) await this.runOne(c, timeoutMs);
  }

  /** One command over SSH; rejects with AgentCommandError naming it in its loggable form (no password). */
  private async runOne(c: KernelCommand, timeoutMs: number): Promise<{ stdout: string }> {
    let r;
    try {
      r = await this.transport.exec(shellLine(c), { ...(c.stdin !== undefined ? { stdin: c.stdin } : {}), timeoutMs });
    } catch (e) {
      throw new AgentCommandError(this.host, 'disconnected', `${c.summary}: ${(e as Error).message} (ran: ${redactedLine(c)})`);
    }
    if (r.code !== 0) {
      throw new AgentCommandError(this.host, 'io', `${c.summary} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim() || 'no output'} (ran: ${redactedLine(c)})`);
    }
    return { stdout: r.stdout };
  }
}

const sameSnapshot = (a: Snapshot | undefined, b: Snapshot): boolean => {
  if (!a) return false;
  // Counters move with every advert: they ride along with the next real change, as an agent's do.
  const strip = (s: Snapshot) => JSON.stringify({ ...s, agent: { ...s.agent, uptimeMs: 0 }, kernel: s.kernel && { ...s.kernel, counters: undefined } });
  return strip(a) === strip(b);
};

/** What changed between two reads, as the agent's events: state changes, changed groups, demotion. */
function changes(prev: KernelCarpState | undefined, next: KernelCarpState, before: Snapshot | undefined, snap: Snapshot, now: number): AgentEvent[] {
  if (!prev || !before) return [];
  const out: AgentEvent[] = [];
  const was = new Map(prev.vhids.map((v) => [v.vhid, v.state]));
  for (const v of next.vhids) {
    const from = was.get(v.vhid);
    if (from && from !== v.state) out.push({ kind: 'state', at: now, vhid: v.vhid, interface: v.carpdev ?? v.interface, from, to: v.state, reason: `seen in the kernel (${next.system.label})` });
  }
  const old = new Map(before.groups.map((g) => [g.vhid, JSON.stringify({ ...g, since: 0 })]));
  for (const g of snap.groups) if (old.get(g.vhid) !== JSON.stringify({ ...g, since: 0 })) out.push({ kind: 'group', at: now, group: g });
  if (before.demote !== snap.demote || before.maintenance !== snap.maintenance) out.push({ kind: 'demotion', at: now, demote: snap.demote, maintenance: snap.maintenance });
  return out;
}
