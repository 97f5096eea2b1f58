// createConsole: the console core behind ConsoleApi — one transport and one HostLink (agent or kernel CARP) per host
// (hosts can be added and removed while it runs), the fleet recomputed after reports, commands,
// maintenance, and every event to subscribers.
import type { HostKeyVerdict, HostSpec, HostTransport } from './transport.js';
import { AgentCommandError, type AgentLinkOptions, type CommandBody } from './agent-link/agent-link.js';
import { AutoLink, type HostLink } from './host-link.js';
import { EventBus, type ConsoleEvent } from './events.js';
import { sameData, shareItems } from './fleet/share.js';
import { buildFleet, newFleetBuildCache } from './fleet/build-fleet.js';
import type { Fleet } from './fleet/types.js';
import { ApiError, type ConsoleApi, type ConsoleDeployOptions, type ConsoleInfo, type DeployHostResult, type MaintenanceEnterOptions, type SetKey } from './api.js';
import type { DeployStep } from './events.js';
import { InventoryOps, type InventoryStore } from './inventory/ops.js';
import { HEARTBEAT_MS } from '../../agent/control/messages.js';
import { SpecError } from './commands/group-spec.js';
import { validateGroupFile, type GroupFileInput } from './commands/balanced-spec.js';
import { balancedPasswordChecks, planBalancedApply } from './commands/plan-balanced.js';
import { passwordChecksFor, planGroupApply, planGroupDelete, type Plan } from './commands/plan.js';
import { redactAgentEvent } from './fleet/password.js';
import { twoPhaseApply, type ApplyOutcome } from './commands/two-phase.js';
import { runMaintenance, type MaintenanceEnv, type MaintenanceTimeouts } from './maintenance/driver.js';
import { DEFAULT_ROLLING_TIMEOUTS, runDeploy, type RollingEnv, type RollingTimeouts } from './deploy/rolling-driver.js';
import { startHistory, type HistoryOptions } from './history/service.js';
import { recordActions } from './history/actions.js';

export { deployProgress, DEFAULT_ROLLING_TIMEOUTS, type RollingTimeouts } from './deploy/rolling-driver.js';

export interface DeployFn {
  (transports: HostTransport[], onProgress: (p: { host: string; step: DeployStep; at: number; detail?: string }) => void): Promise<DeployHostResult[]>;
}

export interface ConsoleOptions {
  hosts: HostSpec[];
  /** Where inventory changes (addHost, importHosts, removeHost) are stored; without it they live in memory only. */
  inventory?: InventoryStore;
  /** The inventory's own known_hosts files (an earlier lab import's): they vouch for `hosts` alone (scopeKnownHosts). */
  knownHostsFiles?: string[];
  /** What info() reports besides the fleet (version, where keys are recorded). */
  info?: Partial<Omit<ConsoleInfo, 'readOnly' | 'staleMs'>>;
  transport: (host: HostSpec) => HostTransport;
  deploy?: DeployFn;
  /**
   * The version `deploy` installs (the bundle's manifest): hosts whose agent already runs it are only
   * checked, in parallel, instead of going through maintenance. Without it every host with groups rolls.
   */
  deployVersion?: () => string | undefined;
  rollingTimeouts?: Partial<RollingTimeouts>;
  link?: AgentLinkOptions;
  maintenanceTimeouts?: Partial<MaintenanceTimeouts>;
  now?: () => number;
  /** Reports or trusts a host's SSH key (ConsoleApi.trustHostKey); SSH-specific, so given by the shell. */
  hostKeys?: (transport: HostTransport, fingerprint?: string) => Promise<HostKeyVerdict>;
  /** Emit 'fleet' events (whole fleet) on every change; on by default. */
  fleetEvents?: boolean;
  /** Where the history is kept (history/): state changes, steps, findings, operator actions; without it history() is unavailable. */
  history?: HistoryOptions;
}

export interface Console extends ConsoleApi {
  /** Resolves when every host has reported once (live or not) or after timeoutMs. */
  ready(timeoutMs?: number): Promise<void>;
  fleetNow(): Fleet;
  link(host: string): HostLink;
  transportOf(host: string): HostTransport;
  close(): void;
}

/** The console builds the fleet at most this often for its events (1,000 groups take about 15 ms to build). */
export const FLEET_BUILD_GAP_MS = 40;

export function createConsole(opts: ConsoleOptions): Console {
  const now = opts.now ?? Date.now;
  const bus = new EventBus();
  const transports = new Map<string, HostTransport>();
  const links = new Map<string, HostLink>();
  const reported = new Set<string>();
  const fleetListeners = new Set<() => void>();
  // groups whose members did not change are not built again (fleet/build-fleet.ts)
  const buildCache = newFleetBuildCache();
  let fleet: Fleet = buildFleet([], now(), buildCache);
  const lastStatus = new Map<string, string>();
  const history = opts.history ? startHistory(opts.history, now) : null;
  if (history) bus.subscribe((e) => history.onEvent(e));

  const rebuild = () => {
    dirty = false;
    lastBuild = performance.now();
    const next = buildFleet([...links.values()].map((l) => l.report()), now(), buildCache);
    // unchanged hosts, groups and findings stay the previous objects (fleet/share.ts)
    fleet = {
      ...next,
      hosts: shareItems(fleet.hosts, next.hosts, (h) => h.host),
      groups: shareItems(fleet.groups, next.groups, (g) => g.key),
      findings: sameData(fleet.findings, next.findings) ? fleet.findings : next.findings,
      ...(next.balanced ? { balanced: sameData(fleet.balanced, next.balanced) ? fleet.balanced : next.balanced } : {}),
    };
    if (opts.fleetEvents !== false) bus.emit({ type: 'fleet', at: fleet.at, fleet });
    for (const l of [...fleetListeners]) l();
  };
  // Reports that arrive in one turn of the event loop (200 snapshots at start, a burst of events) make
  // one fleet, built on the next turn, and at most one per FLEET_BUILD_GAP_MS (a change after a quiet
  // spell at once); a read before then (current()) builds it at once, so readers never see a stale
  // fleet. Without this, a fleet of 1,000 groups rebuilt per report starves the links.
  let dirty = false;
  let lastBuild = -Infinity;
  const recompute = () => {
    if (dirty) return;
    dirty = true;
    const wait = lastBuild + FLEET_BUILD_GAP_MS - performance.now();
    const build = () => dirty && rebuild();
    if (wait <= 0) setImmediate(build);
    else setTimeout(build, wait);
  };
  const current = (): Fleet => {
    if (dirty) rebuild();
    return fleet;
  };

  const staleMs = opts.link?.staleMs ?? 2.5 * HEARTBEAT_MS;

  const addLink = (spec: HostSpec) => {
    const t = opts.transport(spec);
    transports.set(spec.name, t);
    const link: HostLink = new AutoLink(
      t,
      {
        onReport: (r) => {
          if (links.get(spec.name) !== link) return; // a removed or replaced host's last words
          reported.add(r.host);
          const key = `${r.status}|${r.error ?? ''}`;
          if (lastStatus.get(r.host) !== key) {
            lastStatus.set(r.host, key);
            bus.emit({ type: 'host', at: now(), host: r.host, status: r.status, ...(r.error ? { error: r.error } : {}) });
          }
          recompute();
        },
        // relayed without the group's password check value (fleet/password.ts): it never leaves the core
        onEvent: (event, receivedAt) => links.get(spec.name) === link && bus.emit({ type: 'agent', at: event.at, receivedAt, host: spec.name, event: redactAgentEvent(event) }),
        onError: (code, message) => links.get(spec.name) === link && bus.emit({ type: 'error', at: now(), host: spec.name, code, message }),
      },
      opts.link,
    );
    links.set(spec.name, link);
    return link;
  };
  const dropLink = (name: string) => {
    const l = links.get(name);
    if (!l) return;
    links.delete(name);
    reported.delete(name);
    lastStatus.delete(name);
    l.stop();
    transports.get(name)?.close();
    transports.delete(name);
  };
  for (const spec of opts.hosts) addLink(spec);
  // Every inventory host is in the fleet from the start (as unreachable until its agent reports).
  fleet = buildFleet([...links.values()].map((l) => l.report()), now(), buildCache);
  for (const l of links.values()) l.start();

  const inventory = new InventoryOps({ hosts: opts.hosts, ...(opts.knownHostsFiles ? { knownHostsFiles: opts.knownHostsFiles } : {}) }, opts.inventory, {
    changed: ({ added, updated, removed, hosts }) => {
      const byName = new Map(hosts.map((h) => [h.name, h]));
      for (const name of [...removed, ...updated]) dropLink(name);
      for (const name of [...added, ...updated]) addLink(byName.get(name)!).start();
      recompute();
    },
  });

  const linkOf = (host: string): HostLink => {
    const l = links.get(host);
    if (!l) throw new ApiError('unknown-host', `${host} is not in the inventory (known: ${[...links.keys()].join(', ')})`);
    return l;
  };

  const send = async (host: string, body: CommandBody) => {
    try {
      return { host, result: await linkOf(host).request(body) };
    } catch (e) {
      if (e instanceof AgentCommandError) throw new ApiError(e.code === 'disconnected' ? 'unreachable' : e.code === 'timeout' ? 'timeout' : 'refused', e.message);
      throw e;
    }
  };

  const runPlan = async (plan: Plan, dryRun: boolean, op?: string): Promise<ApplyOutcome> => {
    const vhids = plan.vhids ?? [plan.vhid];
    const masters = current().groups.filter((g) => vhids.includes(g.vhid)).flatMap((g) => g.masters);
    return twoPhaseApply(plan, links, {
      dryRun,
      masters,
      onProgress: (p) => bus.emit({ type: 'apply', at: now(), ...(op ? { op } : {}), ...(p.host ? { host: p.host } : {}), step: p.step, ...(p.detail ? { detail: p.detail } : {}) }),
    });
  };

  /** Where the maintenance driver runs (maintenanceEnter, and each host of a rolling upgrade). */
  const maintenanceEnv = (emit: MaintenanceEnv['emit']): MaintenanceEnv => ({
    now,
    fleet: current,
    onFleet: (cb) => {
      fleetListeners.add(cb);
      return () => fleetListeners.delete(cb);
    },
    request: (h, body) => linkOf(h).request(body),
    reboot: async (h) => {
      // The SSH channel may die under a reboot (rejected as a lost connection, or `reboot` killed by a
      // signal as the host goes down): that is expected. A failure to connect, or a non-zero exit code
      // (reboot refused: not root, init not answering...), is not.
      const r = await transports
        .get(h)!
        .exec('reboot', { timeoutMs: 5000 })
        .catch((e: Error) => {
          if (/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|authentication|host key/i.test(e.message)) throw e;
          return null;
        });
      if (r && r.code !== 0 && r.code !== null) {
        const why = r.stderr.trim() || r.stdout.trim() || 'no output';
        throw new Error(`\`reboot\` exited with code ${r.code}: ${why}`);
      }
    },
    reachable: async (h) => {
      try {
        const r = await transports.get(h)!.exec('true', { timeoutMs: 3000 });
        return r.code === 0;
      } catch {
        return false;
      }
    },
    emit,
  });

  // ---- deploy: rolling (hitless) upgrade of the hosts that carry groups (deploy/rolling-driver.ts) ----
  let deploying: string | null = null;
  const rollingEnv = (): RollingEnv => {
    const m = maintenanceEnv(() => {});
    return {
      now,
      fleet: m.fleet,
      onFleet: m.onFleet,
      request: m.request,
      reconnect: (h) => {
        const l = linkOf(h);
        l.stop();
        l.start();
      },
      deploy: (hosts, onProgress) => opts.deploy!(hosts.map((h) => transports.get(h)!), onProgress),
      version: () => opts.deployVersion?.(),
      maintenanceEnv,
      emit: (e) => bus.emit(e),
      timeouts: { ...DEFAULT_ROLLING_TIMEOUTS, ...opts.rollingTimeouts },
      ...(opts.maintenanceTimeouts ? { maintenanceTimeouts: opts.maintenanceTimeouts } : {}),
    };
  };

  const api: Console = {
    async info() {
      return { version: '0.0.0', ...opts.info, readOnly: false, staleMs, ...(inventory.path ? { inventory: inventory.path } : {}) };
    },
    async inventory() {
      return inventory.view();
    },
    addHost: async (h) => inventory.add(h),
    importHosts: async (src) => inventory.import(src),
    removeHost: async (name) => inventory.remove(name),
    async hosts() {
      return current().hosts;
    },
    async fleet() {
      return current();
    },
    fleetNow: current,
    link: linkOf,
    transportOf(host) {
      linkOf(host);
      return transports.get(host)!;
    },
    async ready(timeoutMs = 15_000) {
      const end = now() + timeoutMs;
      while (reported.size < links.size && now() < end) await new Promise((r) => setTimeout(r, 50));
    },
    async deploy(hosts, o: ConsoleDeployOptions = {}) {
      if (!opts.deploy) throw new ApiError('unavailable', 'deploy is not available in this console (no deploy function was given)');
      const names = [...new Set(hosts?.length ? hosts : [...transports.keys()])];
      names.forEach(linkOf);
      if (deploying) throw new ApiError('refused', `a deploy is already running in this console (${deploying}); wait for it to finish`);
      deploying = o.op ?? 'unnamed';
      try {
        return await runDeploy(rollingEnv(), names, o);
      } finally {
        deploying = null;
      }
    },
    async applyGroup(input: GroupFileInput, o = {}) {
      let spec;
      try {
        spec = validateGroupFile(input);
      } catch (e) {
        if (e instanceof SpecError) throw new ApiError('invalid', e.message);
        throw e;
      }
      const snapshots = new Map([...links].map(([h, l]) => [h, l.report().snapshot]));
      // a balanced set (`balance`): one group per vhid on each member, with arpbalance (commands/plan-balanced.ts)
      if ('balance' in spec) return runPlan(planBalancedApply(spec, current(), await balancedPasswordChecks(spec, snapshots)), !!o.dryRun, o.op);
      const checks = await passwordChecksFor(spec, snapshots);
      return runPlan(planGroupApply(spec, current(), checks), !!o.dryRun, o.op);
    },
    async deleteGroup(vhid, o = {}) {
      return runPlan(planGroupDelete(vhid, current(), o.segment), !!o.dryRun, o.op);
    },
    set: (host, vhid, key: SetKey, value) => send(host, { cmd: 'set', vhid, key, value }),
    demote: (host, op, value) => send(host, { cmd: 'demote', op, value }),
    maintenanceExit: (host) => send(host, { cmd: 'maintenance', on: false }),
    allow: (host, on, o = {}) => send(host, { cmd: 'allow', on, ...(o.persist ? { persist: true } : {}) }),
    setLog: (host, level) => send(host, { cmd: 'log', level }),
    async maintenanceEnter(host, o: MaintenanceEnterOptions = {}) {
      linkOf(host);
      return runMaintenance(
        maintenanceEnv((e) => bus.emit({ type: 'maintenance', ...(o.op ? { op: o.op } : {}), ...e })),
        host,
        { ...o, timeouts: opts.maintenanceTimeouts },
      );
    },
    subscribe(l: (e: ConsoleEvent) => void, so = {}) {
      if (so.snapshot) {
        const f = current();
        l({ type: 'fleet', at: f.at, fleet: f });
      }
      return bus.subscribe(l);
    },
    async trustHostKey(host, fingerprint) {
      const link = linkOf(host);
      if (!opts.hostKeys) throw new ApiError('unavailable', 'host keys cannot be checked in this console (no host key store was given)');
      let verdict: HostKeyVerdict;
      try {
        verdict = await opts.hostKeys(transports.get(host)!, fingerprint);
      } catch (e) {
        if (e instanceof ApiError) throw e;
        const name = (e as Error).name;
        // Say which: the host cannot be reached (try again), or the key is refused (look at it).
        const code = ['HostUnreachableError', 'ConnectionClosedError', 'ExecTimeoutError'].includes(name) ? 'unreachable' : ['AuthError', 'PassphraseRequiredError'].includes(name) ? 'failed' : 'refused';
        throw new ApiError(code, (e as Error).message);
      }
      if (verdict.status === 'trusted') {
        bus.emit({ type: 'host-key', at: now(), host, keyType: verdict.keyType, fingerprint: verdict.fingerprint, file: verdict.file });
        link.stop(); // reconnect now rather than after the backoff
        link.start();
      }
      return verdict;
    },
    async history(q) {
      if (!history) throw new ApiError('unavailable', 'this console keeps no history (it was opened without a data folder)');
      return history.query(q);
    },
    close() {
      history?.close();
      for (const l of links.values()) l.stop();
      for (const t of transports.values()) t.close();
    },
  };
  if (history) recordActions(api, history, now);
  return api;
}
