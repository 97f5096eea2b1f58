// The agent's runtime: owns the running groups, their interfaces (sockets, link watch), the host's
// demotion/maintenance, config revisions and apply-by-diff, and answers control commands.
import { hostname } from 'node:os';
import { osDescription } from './os.js';
import { decodePacket, bufferToIp } from '../protocol/index.js';
import { parseAgentConfig, ConfigError, type AgentConfig, type GroupConfig } from '../config/schema.js';
import { saveConfigFile } from '../config/store.js';
import { saveState, type PersistentState } from '../config/state-store.js';
import { PROTOCOL_VERSION, type AgentEvent, type AgentRestarts, type ApplyResult, type Command, type DropReason, type Snapshot } from '../control/messages.js';
import type { NetPort, CarpChannel, InterfaceInfo } from '../net/index.js';
import { BurstLimiter, type Logger } from './log.js';
import { spawnHook, type HookRunner } from './hooks.js';
import { GroupRunner, type GroupEnv } from './group.js';
import { Balancer, sameBalance, withBalanceFlips } from './balance.js';
import { diffConfigs, summarise, groupKey } from './diff.js';
import { CommandError } from './errors.js';
import { HostReporter } from './foreign-adverts.js';
import { LinkDemoter } from './link-demoter.js';
import { AllowSwitch } from './allow.js';
import { hostSettingsChanged, preemptFollowers } from './host-settings.js';
import { transitionMessage, transitionSeverity, carpPrefix, LOG_DEBUG, DEFAULT_LOG_LEVEL } from './log.js';
import { effectiveDemote } from './link-demotion.js';

export interface RuntimeOptions {
  net: NetPort;
  log: Logger;
  version: string;
  /** Where the config lives (shown in status; written on apply when `persist`). */
  configPath: string;
  /** state.json (demotion, maintenance); null = keep in memory only. */
  statePath: string | null;
  persist: boolean;
  initialState?: PersistentState;
  runHook?: HookRunner;
  linkPollMs?: number;
  /** Restarts by the supervisor before this start (reported in the snapshot as agent.restarts). */
  restarts?: AgentRestarts;
}

interface IfaceHandle {
  name: string;
  info: InterfaceInfo | null;
  channel: CarpChannel | null;
  carrier: boolean;
  /** Its started groups were told link down (carrier lost, interface or address gone). */
  down: boolean;
  /** Polls since the interface's addresses were last read in full. */
  polls: number;
}

/** With the default 200 ms poll: carrier every 200 ms, addresses/index/MAC every second. */
const FULL_POLL_EVERY = 5;

/** How many applied revisions can be rolled back (each keeps the config before it). */
export const ROLLBACK_KEPT = 4;

export class Runtime {
  private config: AgentConfig = { groups: [] };
  private readonly groups = new Map<string, GroupRunner>();
  private readonly started = new Set<string>();
  private readonly ifaces = new Map<string, IfaceHandle>();
  /**
   * The configs around the last few applied revisions (newest last), for rollback: a console that put
   * two groups on this host in one apply (a balanced set) can undo both. A few, not a password history.
   */
  private history: { revision: number; before: AgentConfig; after: AgentConfig }[] = [];
  private revision = 1;
  private host: PersistentState;
  private readonly listeners = new Set<(e: AgentEvent) => void>();
  private readonly unmatched: Record<string, number> = {};
  private readonly errorEvents = new BurstLimiter(3, 60_000);
  private linkTimer: NodeJS.Timeout | null = null;
  private readonly startedAt = Date.now();
  private readonly env: GroupEnv;
  /** The host's interfaces and the protocol-112 senders heard, reported beside the groups (foreign-adverts.ts). */
  private readonly reporter: HostReporter;
  /** OpenBSD's link demotion, kept apart from the operator's counter in `host` (added on the wire). */
  private readonly linkDemoter: LinkDemoter;
  /** net.inet.carp.allow (allow.ts): off = every group stopped after handing over. */
  private readonly allowSwitch: AllowSwitch;
  /** net.inet.carp.arpbalance (balance.ts): balanced sets, their virtual MACs and the ARP responder. */
  private readonly balancer: Balancer;

  constructor(private readonly o: RuntimeOptions) {
    this.host = o.initialState ?? { demote: 0, maintenance: false };
    this.reporter = new HostReporter({
      ...(o.net.listInterfaces ? { listInterfaces: () => o.net.listInterfaces!() } : {}),
      vips: () => this.config.groups.flatMap((g) => g.addresses),
      onInterfaces: (interfaces) => this.emit({ kind: 'interfaces', at: Date.now(), interfaces }),
      onForeign: (foreign) => this.emit({ kind: 'foreign', at: Date.now(), foreign }),
    });
    this.balancer = new Balancer({
      net: o.net,
      isMaster: (ifname, vhid) => this.groups.get(`${ifname}/${vhid}`)?.state === 'MASTER',
      error: (key, message) => this.error(key, message),
      info: (m) => o.log.info(m),
    });
    this.env = {
      net: o.net,
      balanced: (g) => this.balancer.of(g),
      log: o.log,
      runHook: o.runHook ?? spawnHook,
      // allow off hands over as maintenance does before the groups stop
      host: () => ({ ...this.host, demote: effectiveDemote(this.host.demote, this.linkDemoter.current), maintenance: this.host.maintenance || this.allowSwitch.leaving }),
      preemptDefault: () => this.config.preempt ?? false,
      onStateChange: (g, from, to, reason) => {
        // carp_set_state's line at its OpenBSD severity, then why (the same severity)
        const severity = transitionSeverity(from, to);
        const transition = transitionMessage(g.vhid, g.config.interface, from, to);
        if (o.log.carp) {
          o.log.carp(severity, transition);
          o.log.carp(severity, `${carpPrefix(g.vhid, g.config.interface)}reason: ${reason}`);
        } else o.log.info(`${transition}: ${reason}`);
        this.emit({ kind: 'state', at: Date.now(), vhid: g.vhid, interface: g.config.interface, from, to, reason });
        this.emit({ kind: 'group', at: Date.now(), group: g.status() });
      },
      onError: (g, key, message) => this.error(key, message, g.vhid),
      onChanged: (g) => this.emit({ kind: 'group', at: Date.now(), group: g.status() }),
    };
    this.linkDemoter = new LinkDemoter({
      net: o.net,
      log: o.log,
      // Like carp_group_demote_adj: every group takes the new demotion; a MASTER advertises it at once.
      onDemotion: () => {
        this.emit({ kind: 'demotion', at: Date.now(), demote: this.host.demote, maintenance: this.host.maintenance, linkDemotion: this.linkDemoter.current });
        for (const g of this.groups.values()) g.refreshParams();
      },
      onLinks: () => this.pollLinks(),
      onError: (key, message) => this.error(key, message),
    });
    this.allowSwitch = new AllowSwitch(
      {
        groups: () => [...this.groups.values()].map((g) => ({ state: g.state, advbase: g.config.advbase })),
        refreshParams: () => {
          for (const g of this.groups.values()) g.refreshParams();
        },
        park: () => this.parkGroups(),
        unpark: () => {
          for (const h of this.ifaces.values()) h.polls = FULL_POLL_EVERY - 1; // the next poll reads in full and starts every group
          this.pollLinks();
        },
        persist: (allow) => {
          const { allow: _was, ...rest } = this.host;
          const next = allow === undefined ? rest : { ...rest, allow };
          if (this.o.statePath) {
            try {
              saveState(this.o.statePath, next);
            } catch (e) {
              throw new CommandError('io', `cannot write ${this.o.statePath}: ${(e as Error).message}; nothing was changed`);
            }
          }
          this.host = next;
        },
        log: (m) => o.log.info(m),
        changed: (allow) => this.emit({ kind: 'demotion', at: Date.now(), demote: this.host.demote, maintenance: this.host.maintenance, linkDemotion: this.linkDemoter.current, allow }),
      },
      { allowed: this.host.allow !== false, persistedOff: this.host.allow === false },
    );
  }

  // ---- life cycle -------------------------------------------------------------------------

  /** Starts the groups of `config` and the link watch. */
  start(config: AgentConfig): void {
    if (this.host.maintenance) this.o.log.info(`maintenance mode is on (persisted in ${this.o.statePath}): every group defers to its peers`);
    if (!this.allowSwitch.allowed) this.o.log.info(`allow is off (persisted in ${this.o.statePath}): CARP does not run until \`carp-agent allow on\``);
    this.config = config;
    this.o.log.setLevel?.(config.log ?? DEFAULT_LOG_LEVEL);
    // A killed agent (kill -9, OOM) leaves its VIPs behind. Before any group runs, whatever the
    // interface's carrier, none of them may stay: this agent starts every group as BACKUP, and a
    // BACKUP holds no VIP. (Its supervisor removes them at the death already; this covers a start by hand.)
    for (const left of this.removeLeftoverAddresses()) {
      this.o.log.info(`removed ${left}, left behind by an agent that did not stop cleanly: every group starts as BACKUP`);
    }
    for (const left of this.balancer.removeLeftovers()) {
      this.o.log.info(`removed the virtual MAC link ${left}, left behind by an agent that did not stop cleanly: every group starts as BACKUP`);
    }
    try {
      this.balancer.configure(config);
    } catch (e) {
      this.error('arpbalance', `${(e as Error).message}: the balanced groups run, but the kernel answers ARP for their addresses`);
    }
    for (const g of config.groups) this.addGroup(g);
    this.linkDemoter.start(config.groups);
    // With the kernel's link events (the link demoter's watch) a carrier change is re-checked at once, so
    // the timer only has to catch address, index and MAC changes: once a second, in full each time, instead
    // of a carrier read every 200 ms (half the agent's idle CPU; e2e/bench footprint).
    const relaxed = this.o.linkPollMs === undefined && this.linkDemoter.watching;
    this.linkTimer = setInterval(() => {
      if (relaxed) for (const h of this.ifaces.values()) h.polls = FULL_POLL_EVERY - 1;
      this.pollLinks();
    }, this.o.linkPollMs ?? (relaxed ? FULL_POLL_EVERY * 200 : 200));
    this.pollLinks();
    this.reporter.start();
  }

  /** Clean stop: MASTERs bow out, addresses removed, sockets closed. */
  async stop(): Promise<void> {
    if (this.linkTimer) clearInterval(this.linkTimer);
    this.reporter.stop();
    this.linkDemoter.stop();
    this.linkTimer = null;
    await Promise.all([...this.groups.values()].map((g) => g.stop()));
    this.groups.clear();
    this.balancer.stop();
    for (const h of this.ifaces.values()) h.channel?.close();
    this.ifaces.clear();
  }

  /**
   * Last resort after a crash (uncaught exception): sends the bow-out a clean stop sends for every group
   * it is MASTER of (a backup takes over at once), then removes every configured VIP synchronously so
   * that no address stays behind while a peer takes over. Best effort: errors are ignored.
   */
  releaseAddressesSync(): void {
    for (const g of this.groups.values()) {
      try {
        g.bowOutSync(this.host.demote);
      } catch {
        /* the addresses still go */
      }
    }
    this.balancer.releaseAllSync();
    for (const g of this.config.groups) {
      for (const a of g.addresses) {
        try {
          this.o.net.removeAddress(g.interface, a);
        } catch {
          /* keep going: the other addresses matter too */
        }
      }
    }
  }

  /** Removes every configured VIP that is on its interface now; returns "198.18.0.100/24 on eth0" for each. */
  private removeLeftoverAddresses(): string[] {
    const removed: string[] = [];
    const present = new Map<string, Set<string>>();
    for (const g of this.config.groups) {
      let on = present.get(g.interface);
      if (!on) {
        on = new Set(this.o.net.interfaceAddresses(g.interface));
        present.set(g.interface, on);
      }
      for (const a of g.addresses) {
        if (!on.has(a.split('/')[0])) continue;
        try {
          this.o.net.removeAddress(g.interface, a);
          removed.push(`${a} on ${g.interface}`);
        } catch (e) {
          this.error(`addr ${g.interface}`, `cannot remove ${a} from ${g.interface} at start: ${(e as Error).message}`, g.vhid);
        }
      }
    }
    return removed;
  }

  subscribe(listener: (e: AgentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get currentConfig(): AgentConfig {
    return this.config;
  }

  // ---- status -----------------------------------------------------------------------------

  snapshot(): Snapshot {
    return {
      type: 'snapshot',
      protocol: PROTOCOL_VERSION,
      agent: {
        version: this.o.version,
        hostname: hostname(),
        pid: process.pid,
        startedAt: this.startedAt,
        uptimeMs: Date.now() - this.startedAt,
        configPath: this.o.configPath,
        configRevision: this.revision,
        os: osDescription(),
        ...(this.o.restarts ? { restarts: this.o.restarts } : {}),
      },
      demote: this.host.demote,
      maintenance: this.host.maintenance,
      linkDemotion: this.linkDemoter.current,
      allow: this.allowSwitch.status(),
      ...(this.o.log.level ? { log: this.o.log.level() } : {}),
      arpbalance: this.config.arpbalance ?? false,
      groups: [...this.groups.values()].map((g) => g.status()),
      ...this.reporter.fields(),
      unmatchedDrops: { ...this.unmatched },
    };
  }

  // ---- commands ---------------------------------------------------------------------------

  /** Carries out one validated command; throws CommandError saying why not. */
  async execute(cmd: Command): Promise<unknown> {
    switch (cmd.cmd) {
      case 'status':
        return this.snapshot();
      case 'demote': {
        const value = cmd.op === 'set' ? cmd.value : this.host.demote + cmd.value;
        if (value < 0 || value > 255) {
          throw new CommandError('range', `demote would become ${value}; it must stay within 0..255 (it is ${this.host.demote} now)`);
        }
        this.setHost({ ...this.host, demote: value });
        return { demote: this.host.demote, maintenance: this.host.maintenance };
      }
      case 'maintenance':
        this.setHost({ ...this.host, maintenance: cmd.on });
        return { demote: this.host.demote, maintenance: this.host.maintenance };
      case 'set': {
        const g = this.findOne(cmd.vhid);
        const want = cmd.key === 'preempt' ? 'boolean' : 'number';
        if (typeof cmd.value !== want) throw new CommandError('invalid', `${cmd.key} takes a ${want}, got ${JSON.stringify(cmd.value)}`);
        const next = { ...this.config, groups: this.config.groups.map((x) => (x === g ? { ...x, [cmd.key]: cmd.value } : x)) };
        return this.apply(next, false, true);
      }
      case 'apply':
        return this.apply(cmd.config, cmd.dryRun ?? false, true);
      case 'putGroup': {
        const k = groupKey(cmd.group);
        const exists = this.config.groups.some((x) => groupKey(x) === k);
        const groups = exists ? this.config.groups.map((x) => (groupKey(x) === k ? cmd.group : x)) : [...this.config.groups, cmd.group];
        // A balanced set's groups come with `arpbalance: true` (the host-wide switch, as in the config).
        const top = cmd.arpbalance !== undefined ? { arpbalance: cmd.arpbalance } : {};
        return this.apply({ ...this.config, ...top, groups }, cmd.dryRun ?? false, true);
      }
      case 'deleteGroup': {
        const g = this.findOne(cmd.vhid, cmd.interface);
        return this.apply({ ...this.config, groups: this.config.groups.filter((x) => x !== g) }, cmd.dryRun ?? false, true);
      }
      case 'rollback': {
        if (!Number.isInteger(cmd.revision) || cmd.revision < 2 || cmd.revision > this.revision) {
          throw new CommandError('unknown-revision', `revision ${cmd.revision} is not one this agent applied (now at revision ${this.revision}; revisions before a restart are not kept)`);
        }
        const kept = this.history.find((h) => h.revision === cmd.revision);
        if (!kept) {
          throw new CommandError('unknown-revision', `the config before revision ${cmd.revision} is not kept (the agent keeps the last ${ROLLBACK_KEPT}); send the config you want with apply`);
        }
        // Only while what revision N did is still what runs: later changes undone first, or none.
        if (JSON.stringify(kept.after) !== JSON.stringify(this.config)) {
          throw new CommandError('conflict', `revision ${cmd.revision} was followed by other changes that are still in force (now at revision ${this.revision}); roll back revision ${this.revision} first, or send the config you want with apply`);
        }
        return this.apply(kept.before, false, true);
      }
      case 'allow':
        return this.allowSwitch.set(cmd.on, cmd.persist ?? false);
      case 'log': {
        if (!this.o.log.setLevel || !this.o.log.level) throw new CommandError('unavailable', 'this agent\'s logger has no log level');
        const was = this.o.log.level();
        this.o.log.setLevel(cmd.level);
        if (was !== cmd.level) this.o.log.info(`log level ${was} -> ${cmd.level} (until the agent restarts; the config's "log" keeps it)`);
        return { log: cmd.level };
      }
    }
  }

  /** allow off: every group stopped (a MASTER left bows out) and replaced by a fresh one that the link poll does not start. */
  private async parkGroups(): Promise<void> {
    const running = [...this.groups.entries()];
    await Promise.all(running.map(([, g]) => g.stop()));
    for (const [k, g] of running) {
      if (this.groups.get(k) !== g) continue; // replaced meanwhile (apply)
      const parked = new GroupRunner(g.config, this.env);
      // the same member of the same group for status and the console (segment, source), its counters kept
      parked.iface = g.iface;
      parked.sent = g.sent;
      parked.received = g.received;
      parked.drops = { ...g.drops };
      parked.lastAdvert = g.lastAdvert;
      this.groups.set(k, parked);
      this.started.delete(k);
      this.emit({ kind: 'group', at: Date.now(), group: this.groups.get(k)!.status() });
    }
  }

  /** SIGHUP: the file was edited; apply it by diff (not written back). */
  reload(config: AgentConfig): ApplyResult {
    return this.apply(config, false, false);
  }

  private findOne(vhid: number, iface?: string): GroupConfig {
    const found = this.config.groups.filter((g) => g.vhid === vhid && (iface === undefined || g.interface === iface));
    if (found.length === 0) {
      const known = this.config.groups.map((g) => `${g.vhid} on ${g.interface}`).join(', ') || 'none';
      throw new CommandError('unknown-vhid', `no group with vhid ${vhid}${iface ? ` on ${iface}` : ''} (configured: ${known})`);
    }
    if (found.length > 1) throw new CommandError('ambiguous', `vhid ${vhid} runs on ${found.map((g) => g.interface).join(' and ')}: name the interface`);
    return found[0];
  }

  private apply(candidate: AgentConfig, dryRun: boolean, persist: boolean): ApplyResult {
    let next: AgentConfig;
    try {
      next = parseAgentConfig(candidate, 'new config');
    } catch (e) {
      if (e instanceof ConfigError) throw new CommandError('invalid', e.problems.join('; '));
      throw e;
    }
    for (const [i, g] of next.groups.entries()) {
      if (!this.o.net.interfaceInfo(g.interface, g.srcip, g.addresses) && !this.config.groups.some((x) => x.interface === g.interface)) {
        throw new CommandError('invalid', `groups[${i}].interface: ${g.interface} does not exist on this host or has no IPv4 address${g.srcip ? ` ${g.srcip}` : ''}`);
      }
    }
    this.refuseHostAddresses(next);
    if (next.arpbalance && !this.o.net.balance) throw new CommandError('invalid', 'arpbalance: not supported on this platform (the agent needs Linux macvlan and packet sockets)');
    const d = withBalanceFlips(diffConfigs(this.config, next), this.config, next);
    const s = summarise(d);
    // Host-wide settings (log, preempt, ...) count as a change too; groups that follow the host's preempt are changed.
    const settings = hostSettingsChanged(this.config, next);
    const followers = preemptFollowers(this.config, next).filter((v) => !s.changed.includes(v) && !s.added.includes(v));
    s.changed.push(...followers);
    const nothing = s.added.length + s.removed.length + s.changed.length === 0 && settings.length === 0;
    if (dryRun || nothing) return { revision: this.revision, dryRun, ...s };
    if (persist && this.o.persist) {
      try {
        saveConfigFile(this.o.configPath, next);
      } catch (e) {
        throw new CommandError('io', `cannot write ${this.o.configPath}: ${(e as Error).message}; the running config is unchanged`);
      }
    }
    const before = this.config;
    this.config = next;
    for (const g of d.removed) this.removeGroup(g);
    for (const c of d.hard) this.removeGroup(c.before);
    // Once the old groups let go of their addresses, before any group starts under the new config:
    // which groups are balanced and where ARP is answered.
    this.balancer.configure(next);
    for (const c of d.hard) this.addGroup(c.after);
    for (const c of d.soft) this.groups.get(groupKey(c.after))?.refreshParams(c.after);
    for (const g of d.added) this.addGroup(g);
    // A balanced set that gained or lost a vhid: its running groups report the new set.
    if (!sameBalance(before, next)) for (const g of this.groups.values()) this.env.onChanged(g);
    if (settings.includes('preempt')) for (const g of this.groups.values()) g.refreshParams();
    if (settings.includes('log')) this.o.log.setLevel?.(next.log ?? DEFAULT_LOG_LEVEL);
    this.linkDemoter.setGroups(next.groups);
    this.revision++;
    this.history = [...this.history, { revision: this.revision, before, after: next }].slice(-ROLLBACK_KEPT);
    this.o.log.info(`config revision ${this.revision} applied: added [${s.added.join(',')}] removed [${s.removed.join(',')}] changed [${s.changed.join(',')}]`);
    this.emit({ kind: 'config', at: Date.now(), revision: this.revision, ...s });
    this.pollLinks();
    return { revision: this.revision, dryRun: false, ...s };
  }

  /**
   * A VIP that is already on its interface but is not one of this agent's VIPs there is the host's own
   * address: the agent would remove it at start and whenever the group is BACKUP. Refuse it.
   */
  private refuseHostAddresses(next: AgentConfig): void {
    const ours = new Set(this.config.groups.flatMap((g) => g.addresses.map((a) => `${g.interface}/${a.split('/')[0]}`)));
    const problems: string[] = [];
    next.groups.forEach((g, i) => {
      const present = new Set(this.o.net.interfaceAddresses(g.interface));
      g.addresses.forEach((a, j) => {
        const ip = a.split('/')[0];
        if (present.has(ip) && !ours.has(`${g.interface}/${ip}`)) {
          problems.push(
            `groups[${i}].addresses[${j}]: ${ip} is already an address of ${g.interface} that this agent does not manage (the host's own); ` +
              `a virtual address must be one no host holds (if it is a VIP left behind, remove it with: ip addr del ${a} dev ${g.interface})`,
          );
        }
      });
    });
    if (problems.length) throw new CommandError('invalid', problems.join('; '));
  }

  private setHost(next: PersistentState): void {
    if (this.o.statePath) {
      try {
        saveState(this.o.statePath, next);
      } catch (e) {
        throw new CommandError('io', `cannot write ${this.o.statePath}: ${(e as Error).message}; nothing was changed`);
      }
    }
    const was = this.host;
    this.host = next;
    if (was.maintenance !== next.maintenance) this.o.log.info(`maintenance ${next.maintenance ? 'on: handing every group to a peer' : 'off'}`);
    if (was.demote !== next.demote) this.o.log.info(`demotion counter ${was.demote} -> ${next.demote}`);
    this.emit({ kind: 'demotion', at: Date.now(), demote: next.demote, maintenance: next.maintenance, linkDemotion: this.linkDemoter.current });
    for (const g of this.groups.values()) g.refreshParams();
  }

  // ---- groups and interfaces --------------------------------------------------------------

  private addGroup(cfg: GroupConfig): void {
    const g = new GroupRunner(cfg, this.env);
    this.groups.set(groupKey(cfg), g);
    if (!this.ifaces.has(cfg.interface)) this.ifaces.set(cfg.interface, { name: cfg.interface, info: null, channel: null, carrier: false, down: false, polls: 0 });
  }

  private removeGroup(cfg: GroupConfig): void {
    const k = groupKey(cfg);
    const g = this.groups.get(k);
    if (!g) return;
    void g.stop();
    this.groups.delete(k);
    this.started.delete(k);
    if (![...this.groups.values()].some((x) => x.config.interface === cfg.interface)) {
      this.ifaces.get(cfg.interface)?.channel?.close();
      this.ifaces.delete(cfg.interface);
    }
  }

  /**
   * Every poll: follows carrier, the interface's address and its kernel index. Link down or address gone:
   * groups go to INIT and the socket is closed. Link back: the info is re-read and the socket reopened.
   * Address or index changed while up: the socket is reopened on the new one (groups keep their state).
   */
  private pollLinks(): void {
    for (const h of this.ifaces.values()) {
      const members = [...this.groups.entries()].filter(([, g]) => g.config.interface === h.name);
      const running = members.filter(([k]) => this.started.has(k)).map(([, g]) => g);
      const carrier = this.o.net.carrierUp(h.name);
      const flapped = carrier !== h.carrier;
      if (flapped) {
        if (h.channel || h.down) this.o.log.info(`${h.name}: link ${carrier ? 'up' : 'down'}`);
        h.carrier = carrier;
      }
      // Carrier is one small read every poll; the interface's addresses, index and MAC (getifaddrs)
      // are read again only every FULL_POLL_EVERY polls, or at once when something moved.
      h.polls = (h.polls + 1) % FULL_POLL_EVERY;
      if (h.channel && carrier && !flapped && h.polls !== 0) continue;
      const srcip = members.map(([, g]) => g.config.srcip).find((s) => s !== undefined);
      const vips = members.flatMap(([, g]) => g.config.addresses);
      const info = this.o.net.interfaceInfo(h.name, srcip, vips);
      const usable = carrier && info !== null;

      if (h.channel && (!usable || !sameInterface(h.info, info))) {
        if (usable) this.o.log.info(`${h.name}: ${describeChange(h.info, info)}: reopening the CARP socket`);
        if (!usable && !h.down) {
          for (const g of running) g.link(false);
          h.down = true;
        }
        for (const g of running) g.unbind();
        h.channel.close();
        h.channel = null;
        h.info = null;
      }
      if (!info) {
        this.error(`iface ${h.name}`, `interface ${h.name} does not exist or has no IPv4 address${srcip ? ` ${srcip}` : ''}: its groups stay in INIT until it has one`);
        continue;
      }
      if (!carrier) continue;

      if (!h.channel) {
        try {
          h.channel = this.o.net.openCarp({
            interface: h.name,
            srcip: info.address,
            onPacket: (ip) => this.onPacket(h, ip),
            onError: (e) => this.error(`recv ${h.name}`, e.message),
          });
          h.info = info;
        } catch (e) {
          this.error(`socket ${h.name}`, `cannot open the CARP socket on ${h.name}: ${(e as Error).message}`);
          continue;
        }
        for (const g of running) g.rebind(info, h.channel);
        this.balancer.reopen(h.name);
        if (h.down) {
          for (const g of running) g.link(true);
          h.down = false;
        } else for (const g of running) g.reassert();
      }
      for (const [k, g] of members) {
        if (this.started.has(k) || !this.allowSwitch.allowed) continue;
        // A crash may have left our VIPs behind: a BACKUP must not hold them.
        for (const a of g.config.addresses) {
          try { this.o.net.removeAddress(h.name, a); } catch { /* not there */ }
        }
        this.started.add(k);
        g.start(h.info!, h.channel);
      }
    }
  }

  private onPacket(h: IfaceHandle, ip: Buffer): void {
    if (!this.allowSwitch.allowed) return; // allow off: as carp_proto_input, before any check or counter
    const find = (vhid: number) => this.groups.get(`${h.name}/${vhid}`);
    if (ip.length >= 20 && h.info && bufferToIp(ip, 12) === h.info.address) {
      const ihl = (ip[0] & 0x0f) * 4;
      const g = ip.length > ihl + 1 ? find(ip[ihl + 1]) : undefined;
      this.countDrop(g, 'own');
      return;
    }
    const r = decodePacket(ip);
    // VRRP adverts and CARP peers are reported (foreign-adverts.ts); VRRP goes no further: it is not a CARP drop.
    if (this.reporter.observe(h.name, h.info?.segment ?? '', ip, (vhid) => find(vhid) && { key: find(vhid)!.key, addresses: find(vhid)!.config.addresses }, r)) return;
    if (!r.ok) {
      const g = r.vhid !== undefined ? find(r.vhid) : undefined;
      this.countDrop(g, r.reason);
      this.error(`drop ${r.reason} ${h.name}`, `${h.name}: advert${r.src ? ` from ${r.src}` : ''}${r.vhid !== undefined ? ` vhid ${r.vhid}` : ''} dropped (${r.reason}): ${r.detail}`, r.vhid);
      return;
    }
    const g = find(r.header.vhid);
    if (!g) {
      this.countDrop(undefined, 'vhid');
      return;
    }
    if (this.o.log.enabled?.(LOG_DEBUG)) {
      const a = r.header;
      this.o.log.carp?.(LOG_DEBUG, `${carpPrefix(a.vhid, h.name)}advert from ${r.src}: advbase ${a.advbase} advskew ${a.advskew} demote ${a.demote}`);
    }
    g.receive(r.src, r.header);
  }

  private countDrop(g: GroupRunner | undefined, reason: DropReason): void {
    if (g) g.countDrop(reason);
    else this.unmatched[reason] = (this.unmatched[reason] ?? 0) + 1;
  }

  // ---- events and errors --------------------------------------------------------------------

  private emit(e: AgentEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        /* a broken listener must not stop the agent */
      }
    }
  }

  /** Logs (the logger limits lines) and emits an error event, at most 3 per class per minute. */
  private error(key: string, message: string, vhid?: number): void {
    this.o.log.error(key, message);
    if (this.errorEvents.take(key).allowed) this.emit({ kind: 'error', at: Date.now(), ...(vhid !== undefined ? { vhid } : {}), message });
  }
}

/** Same address, kernel index and MAC: the open socket is still the right one. */
function sameInterface(a: InterfaceInfo | null, b: InterfaceInfo | null): boolean {
  if (!a || !b) return a === b;
  return a.address === b.address && a.ifindex === b.ifindex && (a.mac === b.mac || (a.mac !== null && b.mac !== null && a.mac.equals(b.mac)));
}

function describeChange(was: InterfaceInfo | null, now: InterfaceInfo): string {
  if (!was) return 'interface info changed';
  if (was.ifindex !== now.ifindex) return `interface re-created (index ${was.ifindex} -> ${now.ifindex})`;
  if (was.address !== now.address) return `address changed ${was.address} -> ${now.address}`;
  return 'MAC address changed';
}
