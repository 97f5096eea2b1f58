// "Demote before reboot" as a state machine: which of the four steps (preflight, enter maintenance,
// reboot, return to service) is enabled given the calls' results and the live fleet, and the
// postcondition checks after the return. Pure: the host screen renders what this computes.
import type { CommandReply, MaintenanceResult } from '../../../electron/core/api.js';
import type { Fleet, Member } from '../../../electron/core/fleet/types.js';
import { compareCandidates } from '../../../electron/core/fleet/election.js';
import { preflight, type Preflight, type PreflightGroup } from '../../../electron/core/maintenance/decide.js';

export interface CallError {
  code: string;
  message: string;
}

/** One call of the wizard: not made, under way (with its op id), done, or failed (a result with ok=false, or an error). */
export type Call<R> =
  | { status: 'idle' }
  | { status: 'running'; op?: string; startedAt: number }
  | { status: 'done'; op?: string; startedAt: number; result: R }
  | { status: 'failed'; op?: string; startedAt: number; result?: R; error?: CallError };

export interface MaintenanceSession {
  host: string;
  force: boolean;
  enter: Call<MaintenanceResult>;
  reboot: Call<MaintenanceResult>;
  exit: Call<CommandReply>;
}

export type StepName = 'enter' | 'reboot' | 'exit';

export function newSession(host: string): MaintenanceSession {
  return { host, force: false, enter: { status: 'idle' }, reboot: { status: 'idle' }, exit: { status: 'idle' } };
}

/** A finished maintenanceEnter: ok → done; ok=false (stopped somewhere) → failed, keeping the result. */
export function settleMaintenance(op: string | undefined, startedAt: number, r: MaintenanceResult): Call<MaintenanceResult> {
  return r.ok ? { status: 'done', op, startedAt, result: r } : { status: 'failed', op, startedAt, result: r };
}

export type StepStatus = 'waiting' | 'ready' | 'running' | 'done' | 'failed' | 'blocked' | 'forced';

export interface StepView {
  status: StepStatus;
  /** Whether its button may be pressed now. */
  enabled: boolean;
  /** Why it is waiting or blocked, in words. */
  note?: string;
}

export interface Stopped {
  step: 'enter' | 'reboot';
  stoppedAt?: string;
  reason: string;
  inMaintenance: boolean;
}

export interface WizardView {
  /** The preflight shown in step 1: the one taken when maintenance was entered, else computed live now. */
  preflight: Preflight;
  /** The live preflight needs Force (groups without a live successor), and can be forced (no hard problem). */
  needsForce: boolean;
  preflightStep: StepView;
  enterStep: StepView;
  rebootStep: StepView;
  exitStep: StepView;
  busy: boolean;
  /** The last step that stopped, with where and whether the host is still in maintenance. */
  stopped?: Stopped;
}

const isRunning = (c: Call<unknown>) => c.status === 'running';

export function wizardView(fleet: Fleet, s: MaintenanceSession, readOnly: boolean): WizardView {
  const view = fleet.hosts.find((h) => h.host === s.host);
  const live = view?.status === 'live';
  const inM = view?.maintenance;
  const busy = isRunning(s.enter) || isRunning(s.reboot) || isRunning(s.exit);
  const pfLive = preflight(fleet, s.host);
  const entered = s.enter.status === 'done';
  // Entered in this session, and the fleet has not since reported the host out of maintenance
  // (unless this wizard took it out: step 4 started, the cycle is complete).
  const returning = s.exit.status !== 'idle';
  const enterDone = entered && (inM !== false || returning);
  const pf = entered && s.enter.status === 'done' && s.enter.result.preflight ? s.enter.result.preflight : pfLive;
  const needsForce = !pfLive.problem && !pfLive.ok;
  const ro = readOnly ? 'this console is read-only' : undefined;

  let preflightStep: StepView;
  if (enterDone) preflightStep = { status: 'done', enabled: false, note: 'checked when maintenance was entered' };
  else if (pfLive.problem) preflightStep = { status: 'blocked', enabled: false, note: 'cannot start: see below' };
  else if (!pfLive.ok) preflightStep = s.force ? { status: 'forced', enabled: false, note: 'forced: a group will be left without a master' } : { status: 'blocked', enabled: false, note: 'refused unless forced: see below' };
  else preflightStep = { status: 'done', enabled: false };

  const canEnter = !pfLive.problem && (pfLive.ok || s.force);
  let enterStep: StepView;
  if (isRunning(s.enter)) enterStep = { status: 'running', enabled: false };
  else if (enterDone) enterStep = { status: 'done', enabled: false };
  else {
    const note = ro ?? (busy ? 'another step is running' : !canEnter ? 'the preflight refuses: see step 1' : entered ? `${s.host} has left maintenance since; enter it again` : undefined);
    const enabled = !readOnly && !busy && canEnter;
    enterStep = { status: s.enter.status === 'failed' ? 'failed' : enabled ? 'ready' : canEnter ? 'waiting' : 'blocked', enabled, ...(note ? { note } : {}) };
  }

  let rebootStep: StepView;
  if (isRunning(s.reboot)) rebootStep = { status: 'running', enabled: false };
  else if (s.reboot.status === 'done') rebootStep = { status: 'done', enabled: false };
  else if (!enterDone) rebootStep = { status: 'waiting', enabled: false, note: `enabled once step 2 has put ${s.host} in maintenance` };
  else {
    const note = ro ?? (busy ? 'another step is running' : !live ? `${s.host} is ${view ? (view.status === 'stale' ? 'UNKNOWN (silent)' : view.status) : 'not in the fleet'}: its agent must answer before a reboot` : undefined);
    const enabled = !readOnly && !busy && live;
    rebootStep = { status: s.reboot.status === 'failed' ? 'failed' : enabled ? 'ready' : 'blocked', enabled, ...(note ? { note } : {}) };
  }

  let exitStep: StepView;
  const rebootSettled = s.reboot.status === 'done' || s.reboot.status === 'failed';
  if (isRunning(s.exit)) exitStep = { status: 'running', enabled: false };
  else if (s.exit.status === 'done') exitStep = { status: 'done', enabled: false };
  else if (!rebootSettled) exitStep = { status: 'waiting', enabled: false, note: 'enabled after the reboot (step 3)' };
  else {
    const note = ro ?? (busy ? 'another step is running' : s.reboot.status === 'failed' ? 'the reboot did not complete; you can still return the host to service' : undefined);
    const enabled = !readOnly && !busy;
    exitStep = { status: s.exit.status === 'failed' ? 'failed' : enabled ? 'ready' : 'waiting', enabled, ...(note ? { note } : {}) };
  }

  return { preflight: pf, needsForce, preflightStep, enterStep, rebootStep, exitStep, busy, ...stoppedOf(s) };
}

function stoppedOf(s: MaintenanceSession): { stopped?: Stopped } {
  for (const step of ['reboot', 'enter'] as const) {
    const c = s[step];
    if (c.status !== 'failed') continue;
    if (c.result) return { stopped: { step, stoppedAt: c.result.stoppedAt, reason: c.result.reason ?? 'stopped', inMaintenance: c.result.inMaintenance } };
    return { stopped: { step, reason: c.error ? `${c.error.code}: ${c.error.message}` : 'failed', inMaintenance: false } };
  }
  return {};
}

/** Whether `m`, back from maintenance with no demotion, would win against the other live members. */
function wouldWin(m: Member, others: Member[]): boolean {
  const back: Member = { ...m, maintenance: false, demote: 0, wireAdvbase: m.advbase, wireAdvskew: m.advskew };
  return others.every((o) => compareCandidates(back, o) < 0);
}

export interface Check {
  id: string;
  text: string;
  ok: boolean;
}

/**
 * After "Return to service": what the fleet must show. Demotion 0, maintenance off, host live, and per
 * group it mastered before: MASTER again where it preempts and is the preferred member, else BACKUP.
 */
export function returnChecks(fleet: Fleet, host: string, mastered: PreflightGroup[]): Check[] {
  const view = fleet.hosts.find((h) => h.host === host);
  const checks: Check[] = [
    { id: 'live', text: `${host} is live (its agent answers)`, ok: view?.status === 'live' },
    { id: 'maintenance', text: 'maintenance is off', ok: view?.status === 'live' && view.maintenance === false },
    { id: 'demote', text: 'demotion is back to 0', ok: view?.status === 'live' && view.demote === 0 },
  ];
  for (const pg of mastered) {
    const g = fleet.groups.find((x) => x.key === pg.key);
    const m = g?.members.find((x) => x.host === host);
    if (!g || !m) {
      checks.push({ id: pg.key, text: `${pg.key}: ${host} is no longer a member`, ok: false });
      continue;
    }
    const others = g.members.filter((x) => x.live && x.host !== host);
    if (m.preempt && wouldWin(m, others)) {
      checks.push({ id: pg.key, text: `${pg.key} (vhid ${g.vhid}): ${host} took it back, MASTER again (it preempts)`, ok: m.live && g.master === host });
    } else {
      const why = m.preempt ? 'it is not the preferred member' : 'it does not preempt';
      checks.push({ id: pg.key, text: `${pg.key} (vhid ${g.vhid}): stays with ${g.master ?? 'its new master'} (${why}); ${host} is BACKUP`, ok: m.live && m.state === 'BACKUP' && g.master !== null && g.master !== host });
    }
  }
  return checks;
}

/** The groups the host handed over when it entered maintenance in this session. */
export function handedOver(s: MaintenanceSession): PreflightGroup[] {
  return s.enter.status === 'done' || s.enter.status === 'failed' ? (s.enter.result?.preflight?.mastered ?? []) : [];
}

/** Lines for step 1, in words: which group moves to whom, or why it refuses. */
export function preflightLines(pf: Preflight): string[] {
  if (pf.problem) return [pf.message];
  if (!pf.mastered.length) return [`${pf.host} masters no group: nothing has to move.`];
  return pf.mastered.map((g) =>
    g.successor ? `${g.segment} vhid ${g.vhid} moves to ${g.successor}.` : `${g.segment} vhid ${g.vhid} has no live successor: ${g.why ?? 'nobody can take over'}.`,
  );
}
