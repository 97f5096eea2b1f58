// Drives "demote before reboot" for one host: preflight, maintenance on, handover proven by the
// new masters' own agents, optional reboot and return, maintenance off. Every step is an event;
// any timeout stops it and says where, and whether the host is left in maintenance.
import type { Fleet } from '../fleet/types.js';
import type { CommandBody } from '../agent-link/agent-link.js';
import type { MaintenanceStep } from '../events.js';
import { agentLeft, agentReturned, handoverProgress, inMaintenance, preflight, type Preflight } from './decide.js';

export interface MaintenanceEnv {
  now: () => number;
  fleet: () => Fleet;
  /** Calls cb after every fleet change; returns unsubscribe. */
  onFleet: (cb: () => void) => () => void;
  request: (host: string, body: CommandBody) => Promise<unknown>;
  /** Asks the host to reboot (`reboot` over SSH); a channel dying under it is expected and not an error. */
  reboot(host: string): Promise<void>;
  /** True when the host answers over SSH again. */
  reachable(host: string): Promise<boolean>;
  emit(e: { host: string; step: MaintenanceStep; at: number; group?: string; to?: string; detail?: string }): void;
}

export interface MaintenanceTimeouts {
  handoverMs: number;
  hostDownMs: number;
  hostUpMs: number;
  agentMs: number;
  exitMs: number;
  pollMs: number;
}

export const DEFAULT_TIMEOUTS: MaintenanceTimeouts = { handoverMs: 15_000, hostDownMs: 30_000, hostUpMs: 120_000, agentMs: 60_000, exitMs: 15_000, pollMs: 500 };

export interface MaintenanceOptions {
  reboot?: boolean;
  /** After a reboot, wait for the host and its agent to return (otherwise stop after asking for the reboot). */
  wait?: boolean;
  /** Enter maintenance even if a mastered group has no live successor. */
  force?: boolean;
  /** After the host returned, switch maintenance off. */
  autoExit?: boolean;
  timeouts?: Partial<MaintenanceTimeouts>;
}

export interface MaintenanceResult {
  host: string;
  ok: boolean;
  /** The last step reached: 'done', or where it stopped. */
  step: MaintenanceStep;
  stoppedAt?: MaintenanceStep;
  reason?: string;
  /** Whether the host is (as far as the console knows) still in maintenance: shown, never hidden. */
  inMaintenance: boolean;
  preflight?: Preflight;
  handovers: Array<{ group: string; to: string; at: number }>;
  startedAt: number;
  finishedAt: number;
}

class Stop extends Error {
  constructor(
    readonly step: MaintenanceStep,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Resolves true as soon as pred holds for the fleet, false when it still does not after timeoutMs. */
export function waitFleet(env: Pick<MaintenanceEnv, 'fleet' | 'onFleet'>, pred: (f: Fleet) => boolean, timeoutMs: number): Promise<boolean> {
  if (pred(env.fleet())) return Promise.resolve(true);
  return new Promise((resolve) => {
    let off = () => {};
    const t = setTimeout(() => {
      off();
      resolve(pred(env.fleet()));
    }, timeoutMs);
    off = env.onFleet(() => {
      if (pred(env.fleet())) {
        clearTimeout(t);
        off();
        resolve(true);
      }
    });
  });
}

export async function runMaintenance(env: MaintenanceEnv, host: string, opts: MaintenanceOptions = {}): Promise<MaintenanceResult> {
  const to = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const startedAt = env.now();
  const handovers: MaintenanceResult['handovers'] = [];
  let turnedOn = false;
  let pf: Preflight | undefined;
  let step: MaintenanceStep = 'preflight';
  const emit = (s: MaintenanceStep, detail?: string, group?: string, to?: string) => {
    step = s;
    env.emit({ host, step: s, at: env.now(), ...(group ? { group } : {}), ...(to ? { to } : {}), ...(detail ? { detail } : {}) });
  };
  const finish = (ok: boolean, extra: Partial<MaintenanceResult> = {}): MaintenanceResult => ({
    host,
    ok,
    step,
    inMaintenance: inMaintenance(env.fleet(), host) ?? turnedOn,
    ...(pf ? { preflight: pf } : {}),
    handovers,
    startedAt,
    finishedAt: env.now(),
    ...extra,
  });

  try {
    pf = preflight(env.fleet(), host);
    emit('preflight', pf.message);
    if (pf.problem) throw new Stop('preflight', pf.message);
    if (!pf.ok && !opts.force) throw new Stop('preflight', `refused: ${pf.message}`);

    emit('maintenance-on', 'asking the agent to hand every group to a peer');
    try {
      const r = await env.request(host, { cmd: 'maintenance', on: true });
      turnedOn = true;
      // A kernel-CARP host may add what maintenance means there (pfSense/OPNsense: their own setting is apart).
      const note = (r as { note?: unknown } | null)?.note;
      if (typeof note === 'string') emit('maintenance-on', note);
    } catch (e) {
      throw new Stop('maintenance-on', `the agent refused maintenance on: ${(e as Error).message}`);
    }

    const keys = pf.mastered.map((g) => g.key);
    if (keys.length) {
      emit('handover', `waiting for a new master of ${keys.join(', ')} (reported by its own agent)`);
      const seen = new Set<string>();
      const off = env.onFleet(() => {
        for (const [key, who] of handoverProgress(env.fleet(), host, keys).moved) {
          if (seen.has(key)) continue;
          seen.add(key);
          handovers.push({ group: key, to: who, at: env.now() });
          emit('handover', `${key} now mastered by ${who}`, key, who);
        }
      });
      const ok = await waitFleet(env, (f) => handoverProgress(f, host, keys).done, to.handoverMs);
      off();
      const hp = handoverProgress(env.fleet(), host, keys);
      for (const [key, who] of hp.moved) if (!seen.has(key)) {
        handovers.push({ group: key, to: who, at: env.now() });
        emit('handover', `${key} now mastered by ${who}`, key, who);
      }
      if (!ok) throw new Stop('handover', `no new master reported within ${to.handoverMs} ms for ${hp.pending.join(', ')}; ${host} stays in maintenance`);
    }

    if (!opts.reboot) {
      emit('done', `${host} is in maintenance; run \`carpctl maintenance exit ${host}\` to take it out`);
      return finish(true);
    }

    const before = env.fleet().hosts.find((h) => h.host === host)?.agentStartedAt;
    emit('reboot', `rebooting ${host} over SSH`);
    try {
      await env.reboot(host);
    } catch (e) {
      throw new Stop('reboot', `could not ask ${host} to reboot: ${(e as Error).message}; it stays in maintenance`);
    }
    if (!opts.wait) {
      emit('done', `${host} is rebooting and will come back in maintenance; run \`carpctl maintenance exit ${host}\` after it returns`);
      return finish(true, { inMaintenance: true });
    }

    emit('wait-host', `waiting for ${host} to go down and answer SSH again`);
    if (!(await waitFleet(env, (f) => agentLeft(f, host, before), to.hostDownMs))) {
      throw new Stop('wait-host', `${host} did not go down within ${to.hostDownMs} ms after \`reboot\`; it stays in maintenance`);
    }
    const upBy = env.now() + to.hostUpMs;
    for (;;) {
      if (await env.reachable(host).catch(() => false)) break;
      if (env.now() > upBy) throw new Stop('wait-host', `${host} did not answer SSH within ${to.hostUpMs} ms after the reboot; it will come back in maintenance`);
      await new Promise((r) => setTimeout(r, to.pollMs));
    }

    emit('wait-agent', `waiting for ${host}'s agent to report`);
    if (!(await waitFleet(env, (f) => agentReturned(f, host, before), to.agentMs))) {
      throw new Stop('wait-agent', `${host} is up but its agent did not report within ${to.agentMs} ms (see /var/log/carp-agent.log on it); it will start in maintenance`);
    }

    if (!opts.autoExit) {
      emit('done', `${host} is back, still in maintenance; run \`carpctl maintenance exit ${host}\` to take it out`);
      return finish(true);
    }
    emit('maintenance-off', `taking ${host} out of maintenance`);
    try {
      await env.request(host, { cmd: 'maintenance', on: false });
    } catch (e) {
      throw new Stop('maintenance-off', `the agent refused maintenance off: ${(e as Error).message}; ${host} stays in maintenance`);
    }
    if (!(await waitFleet(env, (f) => inMaintenance(f, host) === false, to.exitMs))) {
      throw new Stop('maintenance-off', `${host} did not report leaving maintenance within ${to.exitMs} ms`);
    }
    turnedOn = false;
    emit('done', `${host} rebooted and left maintenance`);
    return finish(true);
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    const inM = inMaintenance(env.fleet(), host) ?? turnedOn;
    emit('stopped', `stopped at ${e.step}: ${e.reason}${inM ? ` — ${host} IS IN MAINTENANCE` : ''}`);
    return finish(false, { stoppedAt: e.step, reason: e.reason, inMaintenance: inM || turnedOn });
  }
}
