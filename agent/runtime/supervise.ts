// `carp-agent supervise`: runs `carp-agent run` as a child and, when it dies without being asked to
// (kill -9, OOM kill, crash, a refused config), first says goodbye for the groups it was MASTER of (the
// bow-out advert a clean stop sends, so a backup takes over at once), removes the group VIPs it left
// on the host's interfaces, and only then restarts it with a backoff (1 s, 2 s, 4 s … capped at
// 30 s, back to 1 s once a child has run for a minute). The restarts are kept in a small state file
// that the agent reports in its snapshot and that `carp-agent attach/status` quote while the agent is down.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync, unlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import { z } from 'zod';
import { atomicWriteFile } from '../config/atomic.js';
import { ConfigError, type AgentConfig, type GroupConfig } from '../config/schema.js';
import { loadConfigFile } from '../config/store.js';
import { loadState } from '../config/state-store.js';
import { RESTART_RECENT_MS, type AgentRestarts } from '../control/messages.js';

// ---- pure parts -----------------------------------------------------------------------------

export interface BackoffPolicy {
  /** Delay before the first restart after a child that ran for a while. */
  initialMs: number;
  /** The delay doubles per exit in a row up to this. */
  maxMs: number;
  /** A child that ran this long resets the series (the next exit waits initialMs again). */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

/** Exits in a row (1 = this exit is the first of a series): a child that ran resetAfterMs starts a new series. */
export function nextConsecutive(previous: number, uptimeMs: number, p: BackoffPolicy = DEFAULT_BACKOFF): number {
  return uptimeMs >= p.resetAfterMs ? 1 : previous + 1;
}

/** Delay before restarting after the `consecutive`-th exit in a row: initial × 2^(n-1), capped. */
export function backoffDelay(consecutive: number, p: BackoffPolicy = DEFAULT_BACKOFF): number {
  const n = Math.max(1, Math.floor(consecutive));
  return Math.min(p.maxMs, p.initialMs * 2 ** Math.min(n - 1, 30));
}

/** One VIP the dead agent may have held. */
export interface HeldAddress {
  interface: string;
  /** As configured, with its prefix: "198.18.0.100/24". */
  address: string;
}

/** Every VIP of the config, once per interface and address (what a dead agent may have left behind). */
export function cleanupPlan(config: AgentConfig): HeldAddress[] {
  const seen = new Set<string>();
  const out: HeldAddress[] = [];
  for (const g of config.groups) {
    for (const a of g.addresses) {
      const k = `${g.interface}/${a.split('/')[0]}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ interface: g.interface, address: a });
    }
  }
  return out;
}

/** Whether one of `links` (virtual MAC links now) is group `g`'s, as agent/net/macvlan.ts names them. */
export function holdsVirtualMac(g: GroupConfig, links: readonly string[]): boolean {
  return links.some((n) => n === `${g.interface}-vm${g.vhid}` || new RegExp(`^if\\d+-vm${g.vhid}$`).test(n));
}

/**
 * The groups whose VIPs (any of them) are on their interface now, or whose virtual MAC link (arpbalance)
 * is there: the dead agent was their MASTER (a BACKUP never holds them), so they get the bow-out a clean
 * stop would have sent.
 */
export function heldGroups(groups: GroupConfig[], addressesOn: (ifname: string) => string[], links: readonly string[] = []): GroupConfig[] {
  const cache = new Map<string, Set<string>>();
  return groups.filter((g) => {
    let on = cache.get(g.interface);
    if (!on) {
      on = new Set(addressesOn(g.interface));
      cache.set(g.interface, on);
    }
    return g.addresses.some((a) => on.has(a.split('/')[0])) || holdsVirtualMac(g, links);
  });
}

export function describePlan(plan: HeldAddress[]): string {
  return plan.map((p) => `${p.address} on ${p.interface}`).join(', ');
}

/** How a child ended, in words: "killed by SIGKILL (kill -9 or the OOM killer)", "exit code 2: refusing to start: …". */
export function describeExit(code: number | null, signal: string | null, reason?: string): string {
  const what =
    signal === 'SIGKILL'
      ? 'killed by SIGKILL (kill -9 or the kernel OOM killer)'
      : signal
        ? `killed by ${signal}`
        : code === 0
          ? 'exit code 0 (stopped, but not by its supervisor)'
          : `exit code ${code ?? '?'}`;
  const r = reason?.trim().split('\n')[0]?.slice(0, 300);
  return r ? `${what}: ${r}` : what;
}

export const RestartEntrySchema = z.object({
  at: z.number(),
  reason: z.string(),
  /** How long the child had run. */
  uptimeMs: z.number(),
  /** The wait before the next start. */
  delayMs: z.number(),
  /** The VIPs found on the interfaces and removed after this exit. */
  removed: z.array(z.string()),
  /** The groups it was MASTER of, for which the supervisor sent the bow-out ("vhid 1 on eth0"). */
  bowedOut: z.array(z.string()).default([]),
});
export type RestartEntry = z.infer<typeof RestartEntrySchema>;

/** The supervisor's state file (/run/carp-agent.supervisor.json), rewritten atomically on every change. */
export const SupervisorRecordSchema = z.object({
  supervisorPid: z.number().int(),
  supervisorStartedAt: z.number(),
  /** running: a child runs; backoff: waiting before a restart; waiting: another agent answers on the socket. */
  state: z.enum(['running', 'backoff', 'waiting', 'stopping']),
  childPid: z.number().int().nullable(),
  childStartedAt: z.number().nullable(),
  /** Restarts since the supervisor started (not counting its first start). */
  count: z.number().int(),
  /** Exits in a row without a minute of uptime in between (the backoff's exponent + 1). */
  consecutive: z.number().int(),
  nextStartAt: z.number().nullable(),
  /** The last restarts, oldest first (at most HISTORY). */
  history: z.array(RestartEntrySchema),
});
export type SupervisorRecord = z.infer<typeof SupervisorRecordSchema>;
const HISTORY = 20;

/** What the agent reports in its snapshot (agent.restarts); undefined when it was never restarted. */
export function restartsForSnapshot(r: SupervisorRecord | null, now: number): AgentRestarts | undefined {
  const last = r?.history.at(-1);
  if (!r || r.count < 1 || !last) return undefined;
  return {
    count: r.count,
    recent: r.history.filter((h) => now - h.at < RESTART_RECENT_MS).length,
    lastAt: last.at,
    lastReason: last.reason.slice(0, 500),
  };
}

/** The state file beside the control socket: /run/carp-agent.sock -> /run/carp-agent.supervisor.json. */
export function supervisorStatePathFor(socketPath: string): string {
  return `${socketPath.replace(/\.sock$/, '')}.supervisor.json`;
}

/** Where a supervised agent writes why it refuses to start or crashed (one line, read and removed by the supervisor). */
export function exitReasonPathFor(socketPath: string): string {
  return `${socketPath.replace(/\.sock$/, '')}.exit-reason`;
}

/** Environment variables the supervisor gives its child. */
export const ENV_SUPERVISOR_STATE = 'CARP_AGENT_SUPERVISOR_STATE';
export const ENV_EXIT_REASON = 'CARP_AGENT_EXIT_REASON';

export function readSupervisorRecord(path: string): SupervisorRecord | null {
  try {
    const r = SupervisorRecordSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

const secs = (ms: number) => (ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`);

/**
 * One sentence for `attach`/`status` while the agent is down, so the console and carpctl show the
 * crash loop: "its supervisor (pid 41) restarts it in 7 s: 4 restarts, 4 in a row (crash loop), last: exit code 2: …".
 */
export function describeSupervisor(r: SupervisorRecord, now: number, supervisorAlive: boolean): string {
  if (!supervisorAlive) return `no supervisor is running (the last one, pid ${r.supervisorPid}, is gone)`;
  const last = r.history.at(-1);
  const counts = r.count ? `${r.count} restart${r.count === 1 ? '' : 's'}${r.consecutive > 1 ? `, ${r.consecutive} in a row (crash loop)` : ''}` : 'not restarted yet';
  const lastPart = last ? `, last ${secs(Math.max(0, now - last.at))} ago: ${last.reason}` : '';
  switch (r.state) {
    case 'backoff':
      return `its supervisor (pid ${r.supervisorPid}) restarts it in ${secs(Math.max(0, (r.nextStartAt ?? now) - now))}: ${counts}${lastPart}`;
    case 'waiting':
      return `its supervisor (pid ${r.supervisorPid}) waits for another agent on the socket to go away: ${counts}${lastPart}`;
    case 'stopping':
      return `its supervisor (pid ${r.supervisorPid}) is stopping it`;
    case 'running':
      return `its supervisor (pid ${r.supervisorPid}) is starting it (pid ${r.childPid ?? '?'}): ${counts}${lastPart}`;
  }
}

// ---- the supervisor ---------------------------------------------------------------------------

/** The few host operations the supervisor needs (real: netlink and os.networkInterfaces; tests: a fake). */
export interface SupervisorNet {
  /** Bare IPv4 addresses on the interface now. */
  interfaceAddresses(ifname: string): string[];
  removeAddress(ifname: string, cidr: string): void;
  /** Sends the group's bow-out advert (agent/runtime/bowout.ts); absent: no bow-out, backups wait 3 adverts. */
  bowOut?(g: GroupConfig, demote: number): void;
  /** arpbalance: the virtual MAC links now (agent/net/macvlan.ts), and their removal. Absent: none are looked for. */
  virtualMacLinks?(): string[];
  deleteLink?(name: string): void;
}

export interface SupervisorOptions {
  /** The agent's command: [node, ...execArgv, script, 'run', '--config', …]. */
  command: string[];
  configPath: string;
  socketPath: string;
  /** The agent's state.json (its demotion goes into the bow-out); default: none, demote 0. */
  agentStatePath?: string;
  /** The state file (default beside the socket). */
  statePath?: string;
  /** The child's last words (default beside the socket). */
  reasonPath?: string;
  net: SupervisorNet;
  log: (msg: string) => void;
  policy?: BackoffPolicy;
  now?: () => number;
  /** How long a child asked to stop may take before SIGKILL (default 15 s: hooks get 5 s). */
  stopTimeoutMs?: number;
  /** During a backoff the config file is checked this often; a change (the fix) starts the agent at once. */
  configPollMs?: number;
  /** Another agent answers on the socket: check again after this long. */
  busyPollMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** true when something accepts connections on the unix socket (a running agent). */
export function socketAnswers(path: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    const t = setTimeout(() => {
      s.destroy();
      resolve(true); // connected to nothing that refuses: treat a hung listener as present (never clean up under it)
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

/**
 * Removes the VIPs of `plan` that are on their interfaces now; returns what it removed ("198.18.0.100/24 on eth0").
 * Errors are reported through `onError` and do not stop the other removals.
 */
export function removeHeld(plan: HeldAddress[], net: SupervisorNet, onError: (msg: string) => void): string[] {
  const removed: string[] = [];
  const present = new Map<string, Set<string>>();
  for (const p of plan) {
    let on = present.get(p.interface);
    if (!on) {
      on = new Set(net.interfaceAddresses(p.interface));
      present.set(p.interface, on);
    }
    if (!on.has(p.address.split('/')[0])) continue;
    try {
      net.removeAddress(p.interface, p.address);
      removed.push(`${p.address} on ${p.interface}`);
    } catch (e) {
      onError(`cannot remove ${p.address} from ${p.interface}: ${(e as Error).message}`);
    }
  }
  return removed;
}

function fileSignature(path: string): string {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

export class Supervisor {
  private readonly policy: BackoffPolicy;
  private readonly now: () => number;
  private readonly statePath: string;
  private readonly reasonPath: string;
  private readonly startedAt: number;
  private child: ChildProcess | null = null;
  private childStartedAt: number | null = null;
  private count = 0;
  private consecutive = 0;
  private history: RestartEntry[] = [];
  private state: SupervisorRecord['state'] = 'running';
  private nextStartAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private waitingLogged = false;
  private lastNote: string | undefined;
  /** The groups of the config the running child started with: used when the file is broken when it dies. */
  private startGroups: GroupConfig[] = [];
  private finish!: (code: number) => void;
  /** Resolves with the supervisor's exit code once it stopped. */
  readonly done: Promise<number>;
  /** Resolves after each child exit has been handled (cleanup done, restart scheduled): for tests. */
  onExitHandled: ((e: RestartEntry | null) => void) | null = null;

  constructor(private readonly o: SupervisorOptions) {
    this.policy = o.policy ?? DEFAULT_BACKOFF;
    this.now = o.now ?? Date.now;
    this.statePath = o.statePath ?? supervisorStatePathFor(o.socketPath);
    this.reasonPath = o.reasonPath ?? exitReasonPathFor(o.socketPath);
    this.startedAt = this.now();
    this.done = new Promise((r) => (this.finish = r));
  }

  start(): void {
    this.log(`supervising ${this.o.command.slice(-5).join(' ')} (restart backoff ${secs(this.policy.initialMs)} doubling to ${secs(this.policy.maxMs)}, reset after ${secs(this.policy.resetAfterMs)} up)`);
    void this.launch();
  }

  /** SIGHUP: passed on to the agent (re-read its config); during a backoff, start it now. */
  hup(): void {
    if (this.child) {
      this.child.kill('SIGHUP');
      return;
    }
    if (this.state === 'backoff' && !this.stopping) {
      this.log('SIGHUP during the backoff: starting the agent now');
      void this.launch();
    }
  }

  /** SIGTERM/SIGINT: the agent stops cleanly (masters bow out), then the supervisor exits; no restart. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number> {
    if (!this.stopping) {
      this.stopping = true;
      this.clearTimers();
      if (this.child) {
        this.state = 'stopping';
        this.writeRecord();
        this.log(`${signal}: stopping the agent (pid ${this.child.pid})`);
        this.child.kill(signal);
        const c = this.child;
        this.killTimer = setTimeout(() => {
          this.log(`the agent (pid ${c.pid}) did not stop within ${secs(this.o.stopTimeoutMs ?? 15_000)}: SIGKILL`);
          c.kill('SIGKILL');
        }, this.o.stopTimeoutMs ?? 15_000);
      } else {
        this.log(`${signal}: stopping (no agent running)`);
        this.removeRecord();
        this.finish(0);
      }
    }
    return this.done;
  }

  record(): SupervisorRecord {
    return {
      supervisorPid: process.pid,
      supervisorStartedAt: this.startedAt,
      state: this.state,
      childPid: this.child?.pid ?? null,
      childStartedAt: this.child ? this.childStartedAt : null,
      count: this.count,
      consecutive: this.consecutive,
      nextStartAt: this.state === 'backoff' ? this.nextStartAt : null,
      history: [...this.history],
    };
  }

  private log(msg: string): void {
    this.o.log(msg);
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.poll) clearInterval(this.poll);
    this.timer = null;
    this.poll = null;
  }

  private writeRecord(): void {
    try {
      atomicWriteFile(this.statePath, JSON.stringify(this.record()) + '\n');
    } catch (e) {
      this.log(`cannot write ${this.statePath}: ${(e as Error).message}`);
    }
  }

  private removeRecord(): void {
    try {
      unlinkSync(this.statePath);
    } catch {
      /* not there */
    }
  }

  /** The groups to clean up after: the config file now, else (broken or unreadable) the one the child started with. */
  private groupsNow(): { groups: GroupConfig[]; note?: string } {
    try {
      return { groups: loadConfigFile(this.o.configPath).config.groups };
    } catch (e) {
      const why = e instanceof ConfigError ? e.problems.join('; ') : (e as Error).message;
      return { groups: this.startGroups, note: `${this.o.configPath} is not usable (${why}): using the addresses of the config the agent started with` };
    }
  }

  /**
   * After an unrequested exit: the bow-out for every group the dead agent was MASTER of (its VIPs are
   * still there), then every VIP of the config removed from its interface. Returns what it did.
   */
  private cleanUp(): { removed: string[]; bowedOut: string[] } {
    const { groups, note } = this.groupsNow();
    if (note && note !== this.lastNote) this.log(note);
    this.lastNote = note;
    const bowedOut: string[] = [];
    const links = this.o.net.virtualMacLinks?.() ?? [];
    if (this.o.net.bowOut) {
      const demote = this.o.agentStatePath ? loadState(this.o.agentStatePath).state.demote : 0;
      for (const g of heldGroups(groups, (i) => this.o.net.interfaceAddresses(i), links)) {
        try {
          this.o.net.bowOut(g, demote);
          bowedOut.push(`vhid ${g.vhid} on ${g.interface}`);
        } catch (e) {
          this.log(`error: cannot send the bow-out for vhid ${g.vhid} on ${g.interface}: ${(e as Error).message}; backups take over after 3 advert intervals`);
        }
      }
    }
    const removed = removeHeld(cleanupPlan({ groups }), this.o.net, (m) => this.log(`error: ${m}`));
    // A balanced vhid's shared addresses go with its virtual MAC link.
    for (const name of links) {
      try {
        this.o.net.deleteLink?.(name);
        removed.push(`virtual MAC link ${name}`);
      } catch (e) {
        this.log(`error: cannot remove the virtual MAC link ${name}: ${(e as Error).message}`);
      }
    }
    return { removed, bowedOut };
  }

  private async launch(): Promise<void> {
    this.clearTimers();
    if (this.stopping || this.child) return;
    // Someone else serves the socket (an agent started by hand, or left by a supervisor that was killed):
    // a second agent would refuse to start, and its VIPs are not ours to remove. Wait for it to go.
    if (await socketAnswers(this.o.socketPath)) {
      if (this.stopping || this.child) return;
      if (!this.waitingLogged) this.log(`another carp-agent answers on ${this.o.socketPath}: waiting for it to exit before starting one`);
      this.waitingLogged = true;
      this.state = 'waiting';
      this.writeRecord();
      this.timer = setTimeout(() => void this.launch(), this.o.busyPollMs ?? 2000);
      return;
    }
    if (this.stopping || this.child) return;
    this.waitingLogged = false;
    try {
      this.startGroups = loadConfigFile(this.o.configPath).config.groups;
    } catch {
      /* the agent will refuse it and say why; keep the previous plan */
    }
    try {
      unlinkSync(this.reasonPath);
    } catch {
      /* none */
    }
    const [cmd, ...args] = this.o.command;
    const child = spawn(cmd, args, {
      stdio: 'inherit',
      env: { ...(this.o.env ?? process.env), [ENV_SUPERVISOR_STATE]: this.statePath, [ENV_EXIT_REASON]: this.reasonPath },
    });
    this.child = child;
    this.childStartedAt = this.now();
    this.state = 'running';
    this.nextStartAt = null;
    child.once('error', (e) => {
      // spawn itself failed (ENOENT…): 'exit' may not follow, so handle it here once.
      if (this.child !== child) return;
      void this.onExit(child, null, null, `cannot start: ${e.message}`);
    });
    child.once('exit', (code, signal) => void this.onExit(child, code, signal));
    this.writeRecord();
    if (this.count > 0) this.log(`agent started again (pid ${child.pid}, restart ${this.count})`);
    else this.log(`agent started (pid ${child.pid})`);
  }

  private async onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, spawnError?: string): Promise<void> {
    if (this.child !== child) return;
    this.child = null;
    const at = this.now();
    const uptimeMs = at - (this.childStartedAt ?? at);
    let lastWords = spawnError;
    if (!lastWords) {
      try {
        lastWords = readFileSync(this.reasonPath, 'utf8');
        unlinkSync(this.reasonPath);
      } catch {
        /* it said nothing */
      }
    }
    const cleanStop = this.stopping && code === 0;
    let removed: string[] = [];
    let bowedOut: string[] = [];
    if (!cleanStop) {
      // The dead agent's VIPs must go before a peer takes over (or two hosts answer ARP for them). Unless
      // another agent serves the socket: then they are its addresses, not leftovers.
      if (await socketAnswers(this.o.socketPath)) {
        this.log(`another carp-agent answers on ${this.o.socketPath}: its addresses are left alone`);
      } else {
        ({ removed, bowedOut } = this.cleanUp());
      }
    }
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = null;
    const reason = describeExit(code, signal, lastWords);
    if (this.stopping) {
      this.log(`agent (pid ${child.pid}) stopped: ${cleanStop ? 'clean exit' : reason}${bowedOut.length ? `; bowed out for ${bowedOut.join(', ')}` : ''}${removed.length ? `; removed ${removed.join(', ')}` : ''}`);
      this.removeRecord();
      this.onExitHandled?.(null);
      this.finish(0);
      return;
    }
    this.count++;
    this.consecutive = nextConsecutive(this.consecutive, uptimeMs, this.policy);
    const delayMs = backoffDelay(this.consecutive, this.policy);
    const entry: RestartEntry = { at, reason, uptimeMs, delayMs, removed, bowedOut };
    this.history = [...this.history, entry].slice(-HISTORY);
    this.state = 'backoff';
    this.nextStartAt = at + delayMs;
    this.writeRecord();
    this.log(
      `agent (pid ${child.pid}) ended after ${secs(uptimeMs)} up: ${reason}; ` +
        `${bowedOut.length ? `sent the bow-out it could not for ${bowedOut.join(', ')} (a backup takes over now); ` : ''}` +
        `${removed.length ? `removed its addresses ${removed.join(', ')}` : 'none of its addresses was left on the interfaces'} ` +
        `(${this.now() - at} ms after its exit); restart ${this.count} in ${secs(delayMs)}` +
        `${this.consecutive > 1 ? ` (${this.consecutive} exits in a row within ${secs(this.policy.resetAfterMs)} of starting: backing off)` : ''}`,
    );
    this.timer = setTimeout(() => void this.launch(), delayMs);
    // A fixed config ends the wait: no need to sit out a 30 s backoff after the operator repaired the file.
    const sig = fileSignature(this.o.configPath);
    this.poll = setInterval(() => {
      if (fileSignature(this.o.configPath) !== sig) {
        this.log(`${this.o.configPath} changed during the backoff: starting the agent now`);
        void this.launch();
      }
    }, this.o.configPollMs ?? 500);
    this.onExitHandled?.(entry);
  }
}
