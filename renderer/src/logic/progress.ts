// Progress of long actions (deploy, group apply, maintenance) reduced from the event stream: per
// operation id (`op`), per host the step reached, and a short log. Pure; the store keeps the result.
import type { ConsoleEvent } from '../../../electron/core/events.js';
import { DEPLOY_STEPS } from '../../../electron/core/events.js';

export type OpKind = 'deploy' | 'apply' | 'maintenance';
export type StepState = 'running' | 'ok' | 'failed' | 'rolled-back';

export interface HostProgress {
  host: string;
  step: string;
  /** 0..1 for deploys; null where the core reports steps without a fraction. */
  progress: number | null;
  detail?: string;
  state: StepState;
  at: number;
}

export interface LogLine {
  at: number;
  host?: string;
  step: string;
  group?: string;
  detail?: string;
  state: StepState;
}

export interface OpProgress {
  op: string;
  kind: OpKind;
  startedAt: number;
  lastAt: number;
  hosts: Record<string, HostProgress>;
  log: LogLine[];
  /** The operation reported its own end ('done' without host for apply, done/stopped for maintenance). */
  finished: boolean;
}

export type Ops = Record<string, OpProgress>;

export const MAX_OPS = 50;
export const MAX_LOG = 200;

type ProgressEvent = Extract<ConsoleEvent, { type: OpKind }>;

function isProgress(e: ConsoleEvent): e is ProgressEvent {
  return e.type === 'deploy' || e.type === 'apply' || e.type === 'maintenance';
}

export function stepState(kind: OpKind, step: string): StepState {
  if (kind === 'deploy') return step === 'done' ? 'ok' : step === 'failed' ? 'failed' : step === 'rolled-back' ? 'rolled-back' : 'running';
  if (kind === 'maintenance') return step === 'done' ? 'ok' : step === 'stopped' ? 'failed' : 'running';
  switch (step) {
    case 'applied':
    case 'unchanged':
    case 'done':
      return 'ok';
    case 'rolled-back':
      return 'rolled-back';
    case 'refused':
    case 'failed':
    case 'unknown':
    case 'rollback-failed':
      return 'failed';
    default:
      return 'running';
  }
}

/** A deploy step's position as a fraction, for events without `progress`. */
export function deployFraction(step: string): number {
  const i = (DEPLOY_STEPS as readonly string[]).indexOf(step);
  return i < 0 ? 0 : i / (DEPLOY_STEPS.length - 1);
}

/** Folds one event into the per-operation progress; events without an op (or of other types) change nothing. */
export function reduceOps(ops: Ops, e: ConsoleEvent): Ops {
  if (!isProgress(e) || !e.op) return ops;
  const prev = ops[e.op];
  const kind = e.type;
  const state = stepState(kind, e.step);
  const cur: OpProgress = prev ?? { op: e.op, kind, startedAt: e.at, lastAt: e.at, hosts: {}, log: [], finished: false };
  const hosts = { ...cur.hosts };
  if (e.host) {
    const progress = e.type === 'deploy' ? (Number.isFinite(e.progress) ? Math.min(1, Math.max(0, e.progress)) : deployFraction(e.step)) : null;
    const before = hosts[e.host];
    hosts[e.host] = {
      host: e.host,
      step: e.step,
      // A failed deploy keeps the bar where it stopped.
      progress: progress !== null && state !== 'running' && state !== 'ok' && before?.progress != null ? before.progress : progress,
      ...(e.detail ? { detail: e.detail } : {}),
      state,
      at: e.at,
    };
  }
  const line: LogLine = {
    at: e.at,
    ...(e.host ? { host: e.host } : {}),
    step: e.step,
    ...(e.type === 'maintenance' && e.group ? { group: e.group } : {}),
    ...(e.detail ? { detail: e.detail } : {}),
    state,
  };
  const finished = cur.finished || (kind === 'apply' ? !e.host && (e.step === 'done' || e.step === 'refused') : kind === 'maintenance' ? state !== 'running' : false);
  const next: OpProgress = { ...cur, lastAt: e.at, hosts, log: [...cur.log, line].slice(-MAX_LOG), finished };
  const out: Ops = { ...ops, [e.op]: next };
  const keys = Object.keys(out);
  if (keys.length > MAX_OPS) {
    const oldest = keys.sort((a, b) => out[a].lastAt - out[b].lastAt).slice(0, keys.length - MAX_OPS);
    for (const k of oldest) if (k !== e.op) delete out[k];
  }
  return out;
}

/** The handovers a maintenance operation reported so far: "198.18.0.0/24#1 now mastered by fw3". */
export function handoversOf(p: OpProgress | undefined): Array<{ group: string; text: string; at: number }> {
  if (!p) return [];
  return p.log.filter((l) => l.step === 'handover' && l.group).map((l) => ({ group: l.group!, text: l.detail ?? `${l.group} handed over`, at: l.at }));
}

/** The latest line of an operation, e.g. "waiting for fw1 to go down and answer SSH again". */
export function latestLine(p: OpProgress | undefined): LogLine | undefined {
  return p?.log[p.log.length - 1];
}

/**
 * The reboot step's log: the host is already in maintenance when it starts, so the driver's
 * preflight ("masters no group") and maintenance-on lines say nothing new there and are left out.
 */
export function rebootLogOf(p: OpProgress | undefined): LogLine[] {
  return (p?.log ?? []).filter((l) => l.step !== 'preflight' && l.step !== 'maintenance-on');
}

