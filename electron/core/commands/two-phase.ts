// Applies a plan to every host in two phases: validate everywhere (dryRun), then apply host by
// host; if one host fails, the hosts already changed are rolled back. Says what happened per host.
import { ApplyResultSchema, SnapshotSchema, type ApplyResult, type Snapshot } from '../../../agent/control/messages.js';
import { passwordCheck } from '../../../agent/config/password-check.js';
import type { CommandBody } from '../agent-link/agent-link.js';
import type { FieldChange, Plan, PlanStep } from './plan.js';
import type { ApplyStep } from '../events.js';

export interface CommandTarget {
  request(body: CommandBody): Promise<unknown>;
  /** Resolves once the agent answers again (AgentLink.waitLive): used to read back after a lost reply. */
  waitLive?(timeoutMs: number): Promise<void>;
  /**
   * The agent process that answers ("pid@startedAt", AgentLink.agentId). Revisions restart at 1 when
   * the agent restarts, so a revision read back after a lost reply is compared only under the same identity.
   */
  agentId?(): string | undefined;
}

export type HostOutcome =
  | 'unchanged' // nothing to do on this host (planned so, or the agent reported nothing changed)
  | 'validated' // dry run accepted (a dry-run apply)
  | 'refused' // the dry run was refused: nothing was changed anywhere
  | 'applied'
  | 'failed' // phase 2 failed on this host (and it is known not to have applied it, or it was put back)
  | 'unknown' // the reply was lost and the agent's revision could not be read back: it may have applied it
  | 'rolled-back' // was applied, then put back because another host failed
  | 'rollback-failed' // was applied and could NOT be put back: the host differs from the others
  | 'skipped'; // not reached because an earlier host failed

export interface HostResult {
  host: string;
  /** The vhid of this step, in a balanced set's plan (one step per host and vhid). */
  vhid?: number;
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
  /** The plan, structured: per host, the action and per field before → after. */
  diff: HostDiff[];
}

export interface HostDiff {
  host: string;
  /** As in HostResult: set in a balanced set's plan. */
  vhid?: number;
  action: PlanStep['action'];
  fields: FieldChange[];
}

export type ApplyProgress = (p: { host?: string; step: ApplyStep; detail?: string }) => void;

function errOf(e: unknown, host?: string): { code: string; message: string } {
  const x = e as { code?: unknown; message?: unknown };
  let message = typeof x?.message === 'string' ? x.message : String(e);
  // Agent errors already start with "host: "; results name the host themselves.
  if (host && message.startsWith(`${host}: `)) message = message.slice(host.length + 2);
  return { code: typeof x?.code === 'string' ? x.code : 'failed', message };
}


/** Error codes that say the command may have been carried out though no reply came. */
const LOST_REPLY = new Set(['timeout', 'disconnected', 'bad-result']);

/** The agent's config revision and identity now, with the snapshot, or the reason they cannot be read. */
async function readRevision(target: CommandTarget, waitMs: number): Promise<{ revision: number; id: string; snapshot: Snapshot } | string> {
  try {
    await target.waitLive?.(waitMs);
    const snap = SnapshotSchema.safeParse(await target.request({ cmd: 'status' }));
    return snap.success ? { revision: snap.data.agent.configRevision, id: `${snap.data.agent.pid}@${snap.data.agent.startedAt}`, snapshot: snap.data } : 'its status reply is not a snapshot';
  } catch (e) {
    return errOf(e).message;
  }
}

/** What the agent runs now for the group a putGroup/deleteGroup was about, against what the command asked. */
async function describeGroupNow(snapshot: Snapshot, command: PlanStep['command']): Promise<string> {
  if (!command) return '';
  const vhid = command.cmd === 'putGroup' ? command.group.vhid : command.vhid;
  const iface = command.cmd === 'putGroup' ? command.group.interface : command.interface;
  const g = snapshot.groups.find((x) => x.vhid === vhid && (iface === undefined || x.interface === iface));
  if (command.cmd === 'deleteGroup') return g ? `it still runs vhid ${vhid} (the old config)` : `it runs no vhid ${vhid} (the new config)`;
  if (!g) return `it runs no vhid ${vhid} (neither the new config nor an update of the old one)`;
  const want = command.group;
  const sameSet = g.addresses.length === want.addresses.length && want.addresses.every((a) => g.addresses.includes(a));
  // the password by check value (derived off the event loop; an agent that has not reported one yet counts as not the new config)
  const samePassword = sameSet && g.passwordCheck !== undefined && g.passwordCheck === (await passwordCheck(want.vhid, want.password, want.addresses));
  const same = g.advbase === want.advbase && g.advskew === want.advskew && g.preempt === want.preempt && sameSet && samePassword;
  return `it runs vhid ${vhid} with advbase ${g.advbase} advskew ${g.advskew}${same ? ' (the new config)' : ` (not the new config: that has advbase ${want.advbase} advskew ${want.advskew})`}`;
}

const changedSomething = (r: ApplyResult) => r.added.length + r.removed.length + r.changed.length > 0;

export async function twoPhaseApply(
  plan: Plan,
  agents: ReadonlyMap<string, CommandTarget>,
  opts: { dryRun?: boolean; masters?: string[]; onProgress?: ApplyProgress; readbackMs?: number } = {},
): Promise<ApplyOutcome> {
  const progress = opts.onProgress ?? (() => {});
  // One result per plan step (a host whose group moved interface has two: create and delete).
  const results = plan.steps.map((s): HostResult => ({ host: s.host, ...(s.vhid !== undefined ? { vhid: s.vhid } : {}), action: s.action, outcome: s.action === 'unchanged' ? 'unchanged' : 'skipped' }));
  const list = () => results;
  const base = { dryRun: !!opts.dryRun, preview: plan.preview, diff: plan.steps.map((s): HostDiff => ({ host: s.host, ...(s.vhid !== undefined ? { vhid: s.vhid } : {}), action: s.action, fields: s.fields })) };

  if (plan.errors.length) {
    progress({ step: 'refused', detail: plan.errors.join('; ') });
    return { ...base, ok: false, phase: 'plan', hosts: list(), summary: `nothing was sent: ${plan.errors.join('; ')}` };
  }
  const work = plan.steps.flatMap((s, i) => (s.command ? [{ s, i, command: s.command }] : []));
  const missing = [...new Set(work.filter((w) => !agents.has(w.s.host)).map((w) => w.s.host))];
  if (missing.length) {
    return { ...base, ok: false, phase: 'plan', hosts: list(), summary: `nothing was sent: no agent link for ${missing.join(', ')}` };
  }
  if (!work.length) {
    progress({ step: 'done', detail: 'nothing to change' });
    return { ...base, ok: true, phase: 'done', hosts: list(), summary: 'nothing to change: every host already runs this' };
  }
  const hostsOf = (ws: typeof work) => [...new Set(ws.map((w) => w.s.host))].join(', ');

  // Phase 1: every host validates; nothing changes anywhere. The dry run also says each host's revision.
  progress({ step: 'validate', detail: `dry run on ${hostsOf(work)}` });
  const checks = await Promise.allSettled(work.map((w) => agents.get(w.s.host)!.request({ ...w.command, dryRun: true })));
  const revisionOf = new Map<string, number>();
  let refused = false;
  checks.forEach((c, k) => {
    const r = results[work[k].i];
    const parsed = c.status === 'fulfilled' ? ApplyResultSchema.safeParse(c.value) : null;
    if (parsed?.success) {
      r.outcome = 'validated';
      revisionOf.set(r.host, parsed.data.revision);
      return;
    }
    refused = true;
    r.outcome = 'refused';
    r.error = c.status === 'rejected' ? errOf(c.reason, r.host) : { code: 'bad-result', message: 'the dry-run reply is not an ApplyResult: is the agent up to date? (carpctl deploy)' };
    progress({ host: r.host, step: 'refused', detail: r.error.message });
  });
  if (refused) {
    const who = list().filter((r) => r.outcome === 'refused');
    return { ...base, ok: false, phase: 'validate', hosts: list(), summary: `refused in validation, nothing was changed: ${who.map((r) => `${r.host}: ${r.error!.message}`).join('; ')}` };
  }
  if (opts.dryRun) {
    progress({ step: 'done', detail: 'dry run: every host accepted' });
    return { ...base, ok: true, phase: 'done', hosts: list(), summary: `dry run: ${new Set(work.map((w) => w.s.host)).size} host(s) would change; nothing was changed` };
  }

  // Phase 2: apply step by step (masters last); on failure roll back what was changed, newest first.
  const masters = new Set(opts.masters ?? []);
  const ordered = [...work].sort((a, b) => Number(masters.has(a.s.host)) - Number(masters.has(b.s.host)));
  const applied: { r: HostResult; command: PlanStep['command'] }[] = [];
  for (const w of ordered) {
    const r = results[w.i];
    const target = agents.get(w.s.host)!;
    const idBefore = target.agentId?.();
    progress({ host: r.host, step: 'apply', detail: w.s.action });
    let failure: { code: string; message: string } | undefined;
    try {
      const res = ApplyResultSchema.safeParse(await target.request(w.command));
      if (!res.success) failure = { code: 'bad-result', message: 'the reply is not an ApplyResult (is the agent up to date? carpctl deploy)' };
      else if (!changedSomething(res.data)) {
        r.outcome = 'unchanged';
        r.revision = res.data.revision;
        progress({ host: r.host, step: 'unchanged', detail: 'the agent reported nothing to change' });
      } else {
        r.outcome = 'applied';
        r.revision = res.data.revision;
        revisionOf.set(r.host, res.data.revision);
        applied.push({ r, command: w.command });
        progress({ host: r.host, step: 'applied', detail: `revision ${r.revision}` });
      }
    } catch (e) {
      failure = errOf(e, r.host);
    }
    if (!failure) continue;

    r.outcome = 'failed';
    r.error = failure;
    if (LOST_REPLY.has(failure.code)) {
      // No usable reply: the agent may have applied it. Read its revision back to know.
      const before = revisionOf.get(r.host);
      const back = await readRevision(target, opts.readbackMs ?? 10_000);
      const now = typeof back === 'string' ? back : back.revision;
      if (typeof back === 'string') {
        r.outcome = 'unknown';
        r.error = { code: failure.code, message: `${failure.message}; its config revision could not be read back (${back}), so it may or may not have applied the change` };
      } else if (idBefore !== undefined && back.id !== idBefore) {
        // Restarted (crash, reboot, power cycle): it runs what was on its disk, at a revision counted from 1 again.
        r.outcome = 'unknown';
        r.error = { code: failure.code, message: `${failure.message}; its agent restarted meanwhile (now revision ${back.revision}, counted anew), so the revision cannot tell whether it applied the change: ${await describeGroupNow(back.snapshot, w.command)}` };
      } else if (before !== undefined && now === before + 1) {
        r.revision = now;
        revisionOf.set(r.host, now);
        r.error = { code: failure.code, message: `${failure.message}; the agent had applied it (revision ${now})` };
        applied.push({ r, command: w.command });
      } else if (before === undefined || now !== before) {
        r.outcome = 'unknown';
        r.error = { code: failure.code, message: `${failure.message}; its config revision moved from ${before ?? '?'} to ${now}: another change came in, check it by hand` };
      }
    }
    progress({ host: r.host, step: r.outcome, detail: r.error.message });
    for (const x of results) if (x.outcome === 'validated') x.outcome = 'skipped';
    await rollBack(applied, agents, revisionOf, progress);
    const failedOne = r;
    const bad = list().filter((x) => x.outcome === 'rollback-failed');
    const unknown = list().filter((x) => x.outcome === 'unknown');
    const undone = list().filter((x) => x.outcome === 'rolled-back' || (x === failedOne && x.revision !== undefined && x.outcome === 'failed'));
    const tail: string[] = [];
    if (bad.length) tail.push(`WARNING: ${bad.map((x) => `${x.host} kept the change (${x.error!.message})`).join('; ')} — fix by hand or re-apply`);
    if (unknown.length) tail.push(`WARNING: the state of ${unknown.map((x) => x.host).join(', ')} is UNKNOWN (no reply, revision not readable) — check with carpctl status and re-apply or delete by hand`);
    if (!tail.length) tail.push(`${undone.length} change(s) already made were rolled back, every host is as before`);
    return { ...base, ok: false, phase: 'apply', hosts: list(), summary: `apply failed on ${r.host}: ${r.error.message}; ${tail.join('; ')}` };
  }
  const changed = [...new Set(applied.map((x) => x.r.host))];
  progress({ step: 'done', detail: `${changed.length} host(s) changed` });
  return { ...base, ok: true, phase: 'done', hosts: list(), summary: changed.length ? `applied on ${changed.join(', ')}` : 'nothing changed: every agent reported its config already matched' };
}

/**
 * Undoes applied steps newest first, each by `rollback` of its revision: the agent puts back the config
 * before it while what it did still runs (so two steps on one host, a balanced set's groups, undo in
 * turn). An agent that refuses (an older one keeps only the config before its latest revision) has a
 * create undone by deleting what it created.
 */
async function rollBack(
  applied: { r: HostResult; command: PlanStep['command'] }[],
  agents: ReadonlyMap<string, CommandTarget>,
  revisionOf: Map<string, number>,
  progress: ApplyProgress,
): Promise<void> {
  for (const { r, command } of [...applied].reverse()) {
    const target = agents.get(r.host)!;
    const failedHere = r.outcome === 'failed';
    try {
      let res: unknown;
      try {
        res = await target.request({ cmd: 'rollback', revision: r.revision! });
      } catch (e) {
        const refused = ['conflict', 'unknown-revision'].includes((e as { code?: string }).code ?? '');
        if (!refused || command?.cmd !== 'putGroup' || r.action !== 'create') throw e;
        res = await target.request({ cmd: 'deleteGroup', vhid: command.group.vhid, interface: command.group.interface });
      }
      const parsed = ApplyResultSchema.safeParse(res);
      if (parsed.success) revisionOf.set(r.host, parsed.data.revision);
      if (!failedHere) r.outcome = 'rolled-back';
      progress({ host: r.host, step: 'rolled-back', detail: `revision ${r.revision} undone` });
    } catch (re) {
      r.outcome = 'rollback-failed';
      r.error = errOf(re, r.host);
      progress({ host: r.host, step: 'rollback-failed', detail: r.error.message });
    }
  }
}
