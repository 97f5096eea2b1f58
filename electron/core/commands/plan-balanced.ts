// Pure planning of a balanced set (balanced-spec.ts): one group per vhid on each member host, each put with
// `arpbalance: true` so that the host's agent balances them; the per-vhid steps are the single group's plan.
import type { Snapshot } from '../../../agent/control/messages.js';
import type { Fleet } from '../fleet/types.js';
import { balancedGroups, type BalancedSpec } from './balanced-spec.js';
import { memberConfig, type GroupSpec } from './group-spec.js';
import { NO_PASSWORD_CHECKS, describeConfig, passwordChecksFor, planGroupApply, type FieldChange, type PasswordChecks, type Plan, type PlanStep } from './plan.js';

/** The password checks of each vhid of the set (as passwordChecksFor, per vhid). */
export async function balancedPasswordChecks(spec: BalancedSpec, snapshots: ReadonlyMap<string, Snapshot | undefined>): Promise<Map<number, PasswordChecks>> {
  const out = new Map<number, PasswordChecks>();
  for (const g of balancedGroups(spec)) out.set(g.vhid, await passwordChecksFor(g, snapshots));
  return out;
}

/** The advbase/advskew key of a member in one vhid: the lowest wins the election. */
function key(g: GroupSpec, host: string): number {
  const m = g.members.find((x) => x.host === host)!;
  return (m.advbase ?? g.advbase) * 256 + m.advskew;
}

/** What the set's shape says beyond each group's plan: hosts preferred in no vhid, members without preempt. */
function balanceWarnings(groups: GroupSpec[]): string[] {
  const out: string[] = [];
  const hosts = groups[0].members.map((m) => m.host);
  const preferred = new Map<string, number[]>();
  for (const g of groups) {
    const best = Math.min(...g.members.map((m) => key(g, m.host)));
    const winners = g.members.filter((m) => key(g, m.host) === best);
    if (winners.length === 1) preferred.set(winners[0].host, [...(preferred.get(winners[0].host) ?? []), g.vhid]);
  }
  if (groups.length >= hosts.length) {
    for (const h of hosts) {
      if (!preferred.has(h)) out.push(`${h} has the lowest advskew in no vhid, so it serves no client while the other hosts are up; skew one vhid toward it (advskew 0 there, higher elsewhere)`);
    }
  }
  for (const g of groups) {
    const off = g.members.filter((m) => !(m.preempt ?? g.preempt ?? false)).map((m) => m.host);
    if (off.length) out.push(`vhid ${g.vhid}: preempt is off for ${off.join(', ')}; without it a host that comes back does not take its vhid back and the split stays uneven: set "preempt": true`);
  }
  return out;
}

/**
 * Plans a balanced set as the whole truth for its vhids: for each vhid the single group's plan
 * (planGroupApply: members get putGroup, other hosts running it on the segment deleteGroup), every putGroup
 * carrying `arpbalance: true`. A member whose agent does not report arpbalance on gets it with its first
 * group (sent again if nothing else changes), shown as "arpbalance off -> on".
 */
export function planBalancedApply(spec: BalancedSpec, fleet: Fleet, passwords: ReadonlyMap<number, PasswordChecks> = new Map()): Plan {
  const groups = balancedGroups(spec);
  const vhids = groups.map((g) => g.vhid);
  const plans = groups.map((g) => planGroupApply(g, fleet, passwords.get(g.vhid) ?? NO_PASSWORD_CHECKS));
  const steps: PlanStep[] = plans.flatMap((p, i) =>
    p.steps.map((s): PlanStep => ({ ...s, vhid: groups[i].vhid, ...(s.command?.cmd === 'putGroup' ? { command: { ...s.command, arpbalance: true } } : {}) })),
  );

  const arpbalance = new Map(fleet.hosts.map((h) => [h.host, h.arpbalance]));
  for (const m of groups[0].members) {
    const now = arpbalance.get(m.host);
    if (now === true) continue;
    const field: FieldChange = { field: 'arpbalance', before: now === false ? 'off' : '(not reported)', after: 'on' };
    let s = steps.find((x) => x.host === m.host && x.command?.cmd === 'putGroup');
    if (!s) {
      // every group of this host is as the file says: its first is sent again, to switch arpbalance on
      s = steps.find((x) => x.host === m.host && x.action === 'unchanged');
      const g = groups.find((x) => x.vhid === s?.vhid);
      if (!s || !g) continue;
      s.action = 'update';
      s.command = { cmd: 'putGroup', group: memberConfig(g, g.members.find((x) => x.host === m.host)!), arpbalance: true };
    }
    s.fields = [field, ...s.fields];
    s.changes = [`arpbalance ${field.before} -> on`, ...s.changes];
  }

  const errors = [...new Set(plans.flatMap((p) => p.errors))];
  const warnings = [...plans.flatMap((p, i) => p.warnings.map((w) => `vhid ${vhids[i]}: ${w}`)), ...balanceWarnings(groups), ...othersSharing(spec, groups, fleet)];
  const base = { vhid: vhids[0], vhids, steps, errors, warnings };
  return { ...base, preview: renderBalanced(spec, base) };
}

/** Groups outside the file that a member runs on the set's interface with one of its addresses: the agent would balance over them too, or refuse. */
function othersSharing(spec: BalancedSpec, groups: GroupSpec[], fleet: Fleet): string[] {
  const vhids = new Set(groups.map((g) => g.vhid));
  const iface = new Map(groups[0].members.map((m) => [m.host, m.interface ?? spec.interface]));
  const addrs = new Set(spec.addresses);
  const out: string[] = [];
  for (const g of fleet.groups) {
    if (vhids.has(g.vhid)) continue;
    const on = g.members.filter((m) => iface.get(m.host) === m.interface && m.addresses.some((a) => addrs.has(a))).map((m) => m.host);
    if (on.length) out.push(`vhid ${g.vhid} on ${on.join(', ')} also carries ${g.addresses.filter((a) => addrs.has(a)).join(' ')} and is not in this file: with arpbalance those hosts balance over it too (or refuse it if its addresses differ); delete it (carpctl group delete ${g.vhid}) or add it to the file`);
  }
  return out;
}

function renderBalanced(spec: BalancedSpec, p: Omit<Plan, 'preview'>): string {
  const lines = [`balanced set${spec.name ? ` ${spec.name}` : ''} on ${spec.interface}: ${spec.addresses.join(' ')} over vhids ${p.vhids!.join(', ')} (arpbalance on every member)`];
  for (const v of p.vhids!) {
    lines.push(`  vhid ${v}:`);
    for (const s of p.steps.filter((x) => x.vhid === v)) {
      const head = `    ${s.host}: ${s.action}`;
      if (s.action === 'unchanged') lines.push(head);
      else if (s.action === 'create' && s.command?.cmd === 'putGroup') {
        const extra = s.changes.filter((c) => c.startsWith('arpbalance '));
        lines.push(`${head}  ${describeConfig(s.command.group)}${extra.length ? `, ${extra.join(', ')}` : ''}`);
      } else lines.push(`${head}${s.changes.length ? `  ${s.changes.join(', ')}` : ''}`);
    }
  }
  for (const w of p.warnings) lines.push(`  warning: ${w}`);
  for (const e of p.errors) lines.push(`  error: ${e}`);
  return lines.join('\n');
}
