// Applies a plan to every host in two phases: validate everywhere (dryRun), then apply host by
// host; if one host fails, the hosts already changed are rolled back. Says what happened per host.
import { ApplyResultSchema } from '../../../agent/control/messages.js';
import type { CommandBody } from '../agent-link/agent-link.js';
import type { Plan, PlanStep } from './plan.js';

export interface CommandTarget {
  request(body: CommandBody): Promise<unknown>;
}

export type HostOutcome =
  | 'unchanged' // nothing to do on this host
  | 'validated' // dry run accepted (a dry-run apply)
  | 'refused' // the dry run was refused: nothing was changed anywhere
  | 'applied'
  | 'failed' // phase 2 failed on this host
  | 'rolled-back' // was applied, then put back because another host failed
  | 'rollback-failed' // was applied and could NOT be put back: the host differs from the others
  | 'skipped'; // not reached because an earlier host failed

export interface HostResult {
  host: string;
  action: PlanStep['action'];
  outcome: HostOutcome;
  revision?: number;
  error?: { code: string; message: string };
}

export interface ApplyOutcome {
  ok: boolean;
  dryRun: boolean;
  phase: 'plan' | 'validate' | 'apply' | 'done';
  hosts: HostResult[];
  /** One paragraph a human can act on. */
  summary: string;
  preview: string;
}

export type ApplyProgress = (p: { host?: string; step: string; detail?: string }) => void;

function errOf(e: unknown, host?: string): { code: string; message: string } {
  const x = e as { code?: unknown; message?: unknown };
  let message = typeof x?.message === 'string' ? x.message : String(e);
  // Agent errors already start with "host: "; results name the host themselves.
  if (host && message.startsWith(`${host}: `)) message = message.slice(host.length + 2);
  return { code: typeof x?.code === 'string' ? x.code : 'failed', message };
}

/** Master last: backups change first so the group keeps its master as long as possible. */
function order(steps: PlanStep[], masters: Set<string>): PlanStep[] {
  return [...steps].sort((a, b) => Number(masters.has(a.host)) - Number(masters.has(b.host)));
}

export async function twoPhaseApply(
  plan: Plan,
  agents: ReadonlyMap<string, CommandTarget>,
  opts: { dryRun?: boolean; masters?: string[]; onProgress?: ApplyProgress } = {},
): Promise<ApplyOutcome> {
  const progress = opts.onProgress ?? (() => {});
  const results = new Map<string, HostResult>(plan.steps.map((s) => [s.host, { host: s.host, action: s.action, outcome: s.action === 'unchanged' ? 'unchanged' : 'skipped' }]));
  const list = () => plan.steps.map((s) => results.get(s.host)!);
  const base = { dryRun: !!opts.dryRun, preview: plan.preview };

  if (plan.errors.length) {
    progress({ step: 'refused', detail: plan.errors.join('; ') });
    return { ...base, ok: false, phase: 'plan', hosts: list(), summary: `nothing was sent: ${plan.errors.join('; ')}` };
  }
  const work = plan.steps.filter((s) => s.command);
  const missing = work.filter((s) => !agents.has(s.host));
  if (missing.length) {
    return { ...base, ok: false, phase: 'plan', hosts: list(), summary: `nothing was sent: no agent link for ${missing.map((s) => s.host).join(', ')}` };
  }
  if (!work.length) {
    progress({ step: 'done', detail: 'nothing to change' });
    return { ...base, ok: true, phase: 'done', hosts: list(), summary: 'nothing to change: every host already runs this' };
  }

  // Phase 1: every host validates; nothing changes anywhere.
  progress({ step: 'validate', detail: `dry run on ${work.map((s) => s.host).join(', ')}` });
  const checks = await Promise.allSettled(work.map((s) => agents.get(s.host)!.request({ ...s.command!, dryRun: true } as CommandBody)));
  let refused = false;
  checks.forEach((c, i) => {
    const r = results.get(work[i].host)!;
    if (c.status === 'fulfilled') r.outcome = 'validated';
    else {
      refused = true;
      r.outcome = 'refused';
      r.error = errOf(c.reason, r.host);
      progress({ host: r.host, step: 'refused', detail: r.error.message });
    }
  });
  if (refused) {
    const who = list().filter((r) => r.outcome === 'refused');
    return { ...base, ok: false, phase: 'validate', hosts: list(), summary: `refused in validation, nothing was changed: ${who.map((r) => `${r.host}: ${r.error!.message}`).join('; ')}` };
  }
  if (opts.dryRun) {
    progress({ step: 'done', detail: 'dry run: every host accepted' });
    return { ...base, ok: true, phase: 'done', hosts: list(), summary: `dry run: ${work.length} host(s) would change; nothing was changed` };
  }

  // Phase 2: apply host by host; on failure roll back what was changed, newest first.
  const applied: HostResult[] = [];
  for (const s of order(work, new Set(opts.masters ?? []))) {
    const r = results.get(s.host)!;
    progress({ host: s.host, step: 'apply', detail: s.action });
    try {
      const res = ApplyResultSchema.safeParse(await agents.get(s.host)!.request(s.command! as CommandBody));
      r.outcome = 'applied';
      if (res.success) r.revision = res.data.revision;
      applied.push(r);
      progress({ host: s.host, step: 'applied', detail: r.revision !== undefined ? `revision ${r.revision}` : undefined });
    } catch (e) {
      r.outcome = 'failed';
      r.error = errOf(e, s.host);
      progress({ host: s.host, step: 'failed', detail: r.error.message });
      for (const x of results.values()) if (x.outcome === 'validated') x.outcome = 'skipped';
      for (const done of applied.reverse()) {
        if (done.revision === undefined) {
          done.outcome = 'rollback-failed';
          done.error = { code: 'no-revision', message: 'the agent did not say which revision it applied, so it cannot be rolled back' };
          continue;
        }
        try {
          await agents.get(done.host)!.request({ cmd: 'rollback', revision: done.revision });
          done.outcome = 'rolled-back';
          progress({ host: done.host, step: 'rolled-back', detail: `revision ${done.revision} undone` });
        } catch (re) {
          done.outcome = 'rollback-failed';
          done.error = errOf(re, done.host);
          progress({ host: done.host, step: 'rollback-failed', detail: done.error.message });
        }
      }
      const bad = list().filter((x) => x.outcome === 'rollback-failed');
      const tail = bad.length
        ? `; WARNING: ${bad.map((x) => `${x.host} kept the change (${x.error!.message})`).join('; ')} — fix by hand or re-apply`
        : `; ${applied.length} host(s) already changed were rolled back, every host is as before`;
      return { ...base, ok: false, phase: 'apply', hosts: list(), summary: `apply failed on ${s.host}: ${r.error.message}${tail}` };
    }
  }
  progress({ step: 'done', detail: `${applied.length} host(s) changed` });
  return { ...base, ok: true, phase: 'done', hosts: list(), summary: `applied on ${applied.map((x) => x.host).join(', ')}` };
}
