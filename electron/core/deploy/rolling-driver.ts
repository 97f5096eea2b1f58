// The rolling, hitless upgrade: hosts that carry groups one at a time (maintenance on with the
// handover proven by the successor's own agent, install, handshake, back, maintenance off, steady),
// the rest in parallel. The decisions are deploy/rolling.ts (pure); this is their I/O, over RollingEnv.
import type { CommandBody } from '../agent-link/agent-link.js';
import type { ConsoleDeployOptions, DeployHostResult } from '../api.js';
import { kernelCarpNote } from './deploy.js';
import { DEPLOY_STEPS, ROLLING_DEPLOY_STEPS, type ConsoleEvent, type DeployStep } from '../events.js';
import type { Fleet } from '../fleet/types.js';
import { runMaintenance, waitFleet, type MaintenanceEnv, type MaintenanceTimeouts } from '../maintenance/driver.js';
import { mayLeave, parallelHits, planRolling, steadyCheck, versionSummary, type RollingHost, type Steady, type SteadyOptions } from './rolling.js';

/** How long each wait of a rolling upgrade may take, per host. */
export interface RollingTimeouts {
  /** After the install: the host's agent reports again (the new process, the new version). */
  agentMs: number;
  /** Maintenance off (or back on after a refused handover) reported by the host's agent. */
  exitMs: number;
  /** The host becomes steady (deploy/rolling.ts steadyCheck)... */
  steadyMs: number;
  /** ...and stays steady this long before the next host goes. */
  dwellMs: number;
}

export const DEFAULT_ROLLING_TIMEOUTS: RollingTimeouts = { agentMs: 30_000, exitMs: 15_000, steadyMs: 30_000, dwellMs: 1000 };

/** What the rolling upgrade needs from the console. */
export interface RollingEnv {
  now(): number;
  fleet(): Fleet;
  /** Calls cb after every fleet change; returns unsubscribe. */
  onFleet(cb: () => void): () => void;
  request(host: string, body: CommandBody): Promise<unknown>;
  /** Reconnects the host's agent link now instead of after its backoff. */
  reconnect(host: string): void;
  /** Installs on these hosts (the console's deploy function over their transports). */
  deploy(hosts: string[], onProgress: (p: { host: string; step: DeployStep; at: number; detail?: string }) => void): Promise<DeployHostResult[]>;
  /** The version the deploy installs, when known. */
  version(): string | undefined;
  /** The environment the maintenance driver runs in, with its events given to `emit`. */
  maintenanceEnv(emit: MaintenanceEnv['emit']): MaintenanceEnv;
  emit(e: ConsoleEvent): void;
  timeouts: RollingTimeouts;
  maintenanceTimeouts?: Partial<MaintenanceTimeouts>;
}

/**
 * How far a host's deploy has come, 0..1, for a progress bar ('failed' and 'rolled-back' end it; a
 * 'warning' comes before anything). `rolling`: the host is upgraded in turn (ROLLING_DEPLOY_STEPS).
 */
export function deployProgress(step: DeployStep, rolling = false): number {
  if (step === 'warning') return 0;
  const steps: readonly string[] = rolling ? ROLLING_DEPLOY_STEPS : DEPLOY_STEPS;
  const i = steps.indexOf(step);
  return i < 0 ? 1 : i / (steps.length - 1);
}

/** Deploys to `names`: in parallel where nothing is hit, in turn (hitless) for hosts that carry groups. */
export async function runDeploy(env: RollingEnv, all: string[], o: ConsoleDeployOptions): Promise<DeployHostResult[]> {
  const op = o.op ? { op: o.op } : {};
  // Hosts known to run kernel CARP (BSD) get no agent and take no part in the rolling upgrade.
  const kernelHosts = new Map(env.fleet().hosts.filter((h) => h.kernel && all.includes(h.host)).map((h) => [h.host, h.kernel!]));
  const names = all.filter((n) => !kernelHosts.has(n));
  const kernelResults = [...kernelHosts].map(([host, k]): DeployHostResult => {
    const kernel = kernelCarpNote(host, k.system === 'openbsd' ? 'openbsd' : 'freebsd');
    env.emit({ type: 'deploy', at: env.now(), ...op, host, step: 'done', progress: 1, detail: kernel });
    return { host, ok: true, kernel };
  });
  const done = (rs: DeployHostResult[]) => all.map((n) => rs.find((r) => r.host === n) ?? kernelResults.find((r) => r.host === n)!);
  const emit = (host: string, step: DeployStep, detail: string | undefined, rolling: boolean, at = env.now()) =>
    env.emit({ type: 'deploy', at, ...op, host, step, progress: deployProgress(step, rolling), ...(detail ? { detail } : {}) });
  /** The steps each host's deploy function reported (to know whether it restarted the agent, or rolled back). */
  const seen = new Map<string, DeployStep[]>();
  const deployTo = async (list: string[], rolling: boolean): Promise<DeployHostResult[]> => {
    try {
      return await env.deploy(list, (p) => {
        seen.set(p.host, [...(seen.get(p.host) ?? []), p.step]);
        // In turn, the install is not the end: maintenance off and steady follow.
        emit(p.host, rolling && p.step === 'done' ? 'installed' : p.step, p.detail, rolling, p.at);
      });
    } catch (e) {
      return list.map((host) => {
        emit(host, 'failed', (e as Error).message, rolling);
        return { host, ok: false, error: (e as Error).message };
      });
    }
  };
  /** Waits (agentMs at most) until the fleet shows every deployed host live on its new version, reconnecting links still in backoff. */
  const settle = async (rs: DeployHostResult[]) => {
    // Only hosts whose agent was restarted ('handshake' reported): the others' links never dropped.
    const want = rs.filter((r) => r.ok && r.version && seen.get(r.host)?.includes('handshake'));
    const on = (f: Fleet, r: DeployHostResult) => f.hosts.some((h) => h.host === r.host && h.status === 'live' && h.agentVersion === r.version);
    if (await waitFleet(env, (f) => want.every((r) => on(f, r)), 1000)) return;
    for (const r of want) if (!on(env.fleet(), r)) env.reconnect(r.host);
    await waitFleet(env, (f) => want.every((r) => on(f, r)), env.timeouts.agentMs);
  };
  const withRunning = (rs: DeployHostResult[]) =>
    rs.map((r) => {
      const v = env.fleet().hosts.find((h) => h.host === r.host)?.agentVersion;
      return { ...r, ...(v ? { running: v } : {}) };
    });

  let version: string | undefined;
  try {
    version = env.version();
  } catch {
    version = undefined; // the deploy function says what is wrong with the bundle
  }
  if (o.parallel) {
    for (const hit of parallelHits(env.fleet(), names, version)) emit(hit.host, 'warning', hit.detail, false);
    const rs = await deployTo(names, false);
    await settle(rs);
    return done(withRunning(rs));
  }
  const plan = planRolling(env.fleet(), names, { version });
  const order = plan.sequence.map((h) => h.host);
  plan.sequence.forEach((h, i) =>
    emit(h.host, 'queued', `rolling upgrade ${i + 1} of ${order.length} (order ${order.join(', ')}): ${i ? `after ${order[i - 1]} is steady` : 'first'}; ${h.masters.length ? `masters ${h.masters.join(', ')}` : 'masters nothing'}`, true),
  );
  const results = new Map<string, DeployHostResult>();
  if (plan.parallel.length) {
    const rs = await deployTo(plan.parallel.map((p) => p.host), false);
    await settle(rs);
    for (const r of rs) results.set(r.host, r);
  }

  let stoppedAt: { host: string; why: string } | null = null;
  for (const h of plan.sequence) {
    if (stoppedAt) {
      const v = versionSummary(env.fleet(), [h.host]).text;
      const why = `not upgraded: the rolling upgrade stopped at ${stoppedAt.host}; ${v}`;
      emit(h.host, 'failed', why, true);
      results.set(h.host, { host: h.host, ok: false, ...(version ? { version } : {}), error: why, notAttempted: true });
      continue;
    }
    const r = await upgradeInTurn(env, h, version, emit, deployTo, seen);
    if (r.stop) {
      stoppedAt = { host: h.host, why: r.stop.why };
      const target = r.result.version ?? version ?? [...results.values()].find((x) => x.ok && x.version)?.version;
      const summary = versionSummary(env.fleet(), names, target).text;
      const why = `${r.stop.why}. The rolling upgrade stopped here: ${summary}`;
      emit(h.host, r.stop.step, why, true);
      results.set(h.host, { ...r.result, error: why });
    } else results.set(h.host, r.result);
  }
  return done(withRunning(names.map((n) => results.get(n) ?? { host: n, ok: false, error: 'not deployed' })));
}

/** Switches the host's maintenance and waits until its agent reports it; false when refused or late. */
async function setMaintenance(env: RollingEnv, host: string, on: boolean): Promise<boolean> {
  try {
    await env.request(host, { cmd: 'maintenance', on });
  } catch {
    return false;
  }
  return waitFleet(env, (f) => f.hosts.find((h) => h.host === host)?.maintenance === on, env.timeouts.exitMs);
}

/** Waits until the host is steady and stays so for dwellMs; returns the last verdict. */
async function waitSteady(env: RollingEnv, host: string, o: SteadyOptions): Promise<Steady> {
  const end = Date.now() + env.timeouts.steadyMs;
  const check = (f: Fleet) => steadyCheck(f, host, o).steady;
  for (;;) {
    if (!(await waitFleet(env, check, end - Date.now()))) return steadyCheck(env.fleet(), host, o);
    const broke = await waitFleet(env, (f) => !check(f), env.timeouts.dwellMs);
    if (!broke) return steadyCheck(env.fleet(), host, o);
    if (Date.now() > end) return steadyCheck(env.fleet(), host, o);
  }
}

/**
 * One host of the rolling upgrade: may it leave service; maintenance on with the handover proven by
 * the successors' own agents (runMaintenance, no reboot); install, start, handshake (the deploy
 * function, rolled back by it when the handshake fails); its agent back (still in maintenance: the
 * state is persisted, so it cannot take anything back); maintenance off; steady. A failure after
 * maintenance on still returns the host to service where its agent answers, then stops the upgrade.
 */
async function upgradeInTurn(
  env: RollingEnv,
  h: RollingHost,
  version: string | undefined,
  emit: (host: string, step: DeployStep, detail: string | undefined, rolling: boolean) => void,
  deployTo: (list: string[], rolling: boolean) => Promise<DeployHostResult[]>,
  seen: Map<string, DeployStep[]>,
): Promise<{ result: DeployHostResult; stop?: { step: DeployStep; why: string } }> {
  const host = h.host;
  const view = () => env.fleet().hosts.find((x) => x.host === host);
  const stop = (why: string, step: DeployStep = 'failed', v = version) => ({ result: { host, ok: false, ...(v ? { version: v } : {}), error: why }, stop: { step, why } });

  const leave = mayLeave(env.fleet(), host);
  if (!leave.ok) return stop(`not upgraded: ${leave.why}`);
  const wasInMaintenance = view()?.maintenance === true;

  // 1. Out of service: maintenance on, every group it masters handed over (proven by the new master's agent).
  const menv = env.maintenanceEnv((e) => {
    if (e.step === 'preflight' || e.step === 'maintenance-on') emit(host, 'maintenance-on', e.detail, true);
    else if (e.step === 'handover') emit(host, 'handover', e.detail, true);
  });
  const m = await runMaintenance(menv, host, { timeouts: env.maintenanceTimeouts });
  if (!m.ok) {
    let still = m.inMaintenance;
    if (still && !wasInMaintenance) still = !(await setMaintenance(env, host, false));
    // The driver's reason ends with "; fwN stays in maintenance": say what is true now instead.
    const tail = `; ${host} stays in maintenance`;
    const reason = m.reason?.endsWith(tail) ? m.reason.slice(0, -tail.length) : (m.reason ?? 'stopped');
    return stop(`not upgraded: taking ${host} out of service stopped at ${m.stoppedAt}: ${reason}${m.stoppedAt !== 'preflight' ? (still ? `; ${host} IS IN MAINTENANCE` : `; maintenance switched off again, nothing was installed`) : ''}`);
  }
  emit(host, 'handover', m.handovers.length ? `handed over ${m.handovers.map((x) => `${x.group} to ${x.to}`).join(', ')}; ${host} masters nothing now` : `${host} is in maintenance and masters nothing: nothing to hand over`, true);

  // 2. Install, start, handshake (rolled back by the deploy function if the new version does not answer).
  const before = view()?.agentStartedAt;
  seen.delete(host);
  const r: DeployHostResult = (await deployTo([host], true))[0] ?? { host, ok: false, error: 'the deploy function returned no result' };
  const steps = seen.get(host) ?? [];
  // 'handshake' is reported once the restart command went through; a rollback restarts the previous version.
  const rolledBack = steps.includes('rolled-back');
  const restarted = steps.includes('handshake') || rolledBack;

  // 3. Its agent back: live (the new process with the new version when the install went through). The
  // link would reconnect after its backoff; reconnect now.
  const back = (f: Fleet) => {
    const x = f.hosts.find((y) => y.host === host);
    return x?.status === 'live' && (!restarted || x.agentStartedAt !== before) && (!r.ok || !r.version || x.agentVersion === r.version);
  };
  if (!(await waitFleet(env, back, 1000))) env.reconnect(host);
  if (!(await waitFleet(env, back, env.timeouts.agentMs))) {
    const why = r.ok
      ? `${host} installed ${r.version} but its agent did not report within ${env.timeouts.agentMs} ms (${view()?.status}); it stays in maintenance (see /var/log/carp-agent.log on it)`
      : `${r.error ?? 'the install failed'}; ${host}'s agent did not report afterwards, so it could not be taken out of maintenance`;
    return stop(why, rolledBack ? 'rolled-back' : 'failed', r.version ?? version);
  }
  if (r.ok && restarted && !wasInMaintenance && view()?.maintenance === false)
    emit(host, 'installed', `WARNING: ${host}'s new agent came back OUT of maintenance (its maintenance state did not survive the restart)`, true);
  else if (r.ok && restarted) emit(host, 'installed', `${host}'s agent ${view()?.agentVersion} is back, in maintenance (kept across the restart): it takes nothing over`, true);

  // 4. Back in service (unless the operator had it in maintenance before).
  if (!wasInMaintenance) {
    emit(host, 'maintenance-off', r.ok ? `taking ${host} out of maintenance` : `the install failed; ${host} runs ${view()?.agentVersion ?? 'its previous version'}: taking it out of maintenance before stopping`, true);
    if (!(await setMaintenance(env, host, false)))
      return stop(`${r.ok ? `${host} runs ${r.version} but ` : `${r.error ?? 'the install failed'}; then `}its agent did not leave maintenance within ${env.timeouts.exitMs} ms: ${host} IS IN MAINTENANCE`, r.ok ? 'failed' : rolledBack ? 'rolled-back' : 'failed', r.version ?? version);
  } else emit(host, 'maintenance-off', `${host} was in maintenance before the upgrade: it stays there`, true);

  // 5. Steady before the next host goes.
  emit(host, 'steady', `waiting until ${host} is live${r.ok ? ` on ${r.version}` : ''}, BACKUP (MASTER where it preempts and is the best) and its groups have no error finding`, true);
  const st = await waitSteady(env, host, { ...(r.ok && r.version ? { version: r.version } : {}), inMaintenance: wasInMaintenance });
  if (!st.steady)
    return stop(`${r.ok ? `${host} runs ${r.version} but is` : `${r.error ?? 'the install failed'}; then ${host} was`} not steady within ${env.timeouts.steadyMs} ms: ${st.why}`, r.ok ? 'failed' : rolledBack ? 'rolled-back' : 'failed', r.version ?? version);
  emit(host, 'steady', st.why, true);
  if (!r.ok) return stop(`${r.error ?? 'the install failed'}; ${host} is back in service on ${view()?.agentVersion ?? 'its previous version'}`, rolledBack ? 'rolled-back' : 'failed', r.version ?? version);
  emit(host, 'done', `${r.version}: ${st.why}`, true);
  return { result: { ...r, host, ok: true } };
}

