// Pure planning of group changes: from a group spec (or a vhid to delete) and the current fleet
// to per-host putGroup/deleteGroup commands and a human diff preview. No I/O.
import type { GroupConfig } from '../../../agent/config/schema.js';
import type { Command, Snapshot } from '../../../agent/control/messages.js';
import { passwordCheck } from '../../../agent/config/password-check.js';
import type { Fleet, Member } from '../fleet/types.js';
import { comparePassword, type PasswordAgreement } from '../fleet/password.js';
import type { GroupSpec } from './group-spec.js';
import { memberConfig } from './group-spec.js';

export type StepAction = 'create' | 'update' | 'delete' | 'unchanged';

/** A command of the agent's control protocol (agent/control/messages.ts), without its id. */
type CommandOf<N extends Command['cmd']> = Omit<Extract<Command, { cmd: N }>, 'id' | 'dryRun'>;
export type HostCommand = CommandOf<'putGroup'> | CommandOf<'deleteGroup'>;

/** One field of one host's group, before and after (null: absent, e.g. before a create). */
export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

export interface PlanStep {
  host: string;
  action: StepAction;
  /** Absent when unchanged. */
  command?: HostCommand;
  /** Human lines: "advskew 0 -> 100", "+ 198.18.0.101/24"... */
  changes: string[];
  /** The same, structured: per field, before → after. */
  fields: FieldChange[];
  /** Set in a balanced set's plan (plan-balanced.ts), where a host has one step per vhid. */
  vhid?: number;
}

export interface Plan {
  vhid: number;
  /** A balanced set's vhids (plan-balanced.ts); absent for one group. */
  vhids?: number[];
  steps: PlanStep[];
  /** Problems that forbid the plan (unknown host, host not live...): nothing is sent when any exist. */
  errors: string[];
  warnings: string[];
  preview: string;
}

/**
 * How each member's password compares with the file's: per (host, interface), from the check value its
 * agent reports and the one the console derives for the file's password with that member's address set.
 * Neither value is kept in the plan.
 */
export interface PasswordChecks {
  compare(host: string, iface: string): PasswordAgreement;
}

/** No values at hand: every password compares as unknown (sent; the agent applies it only if it differs). */
export const NO_PASSWORD_CHECKS: PasswordChecks = { compare: () => 'unknown' };

/** The checks for planning `spec` against the members' snapshots (derived off the event loop, cached per address set). */
export async function passwordChecksFor(spec: GroupSpec, snapshots: ReadonlyMap<string, Snapshot | undefined>): Promise<PasswordChecks> {
  const verdicts = new Map<string, PasswordAgreement>();
  for (const [host, snap] of snapshots) {
    for (const g of snap?.groups ?? []) {
      if (g.vhid !== spec.vhid || g.passwordCheck === undefined) continue;
      verdicts.set(`${host}\0${g.interface}`, comparePassword(g.passwordCheck, await passwordCheck(spec.vhid, spec.password, g.addresses)));
    }
  }
  return { compare: (host, iface) => verdicts.get(`${host}\0${iface}`) ?? 'unknown' };
}

function current(fleet: Fleet, host: string, vhid: number, iface: string): Member | undefined {
  for (const g of fleet.groups) {
    if (g.vhid !== vhid) continue;
    const m = g.members.find((x) => x.host === host && x.interface === iface);
    if (m) return m;
  }
  return undefined;
}

/** Config fields GroupStatus does not report: the console cannot tell whether the agent has them. */
const UNREPORTED = ['upscript', 'downscript', 'xparam'] as const;

/**
 * What putGroup(want) would change on a member, compared field by field with what its agent reports.
 * Fields the agent does not report (hooks, xparam, neutral) count as a change whenever the spec sets
 * them: putGroup is idempotent (the agent answers `changed: []` when nothing differs). The password
 * is compared by check value (`password`: the caller's verdict) and never shown.
 */
export function fieldDiff(cur: Member, want: GroupConfig, password: PasswordAgreement): FieldChange[] {
  const out: FieldChange[] = [];
  for (const k of ['advbase', 'advskew', 'preempt'] as const) {
    if (cur[k] !== want[k]) out.push({ field: k, before: String(cur[k]), after: String(want[k]) });
  }
  if ((cur.name ?? '') !== (want.name ?? '')) out.push({ field: 'name', before: cur.name || null, after: want.name || null });
  if (want.srcip !== undefined && cur.srcip !== want.srcip) out.push({ field: 'srcip', before: cur.srcip, after: want.srcip });
  const had = new Set(cur.addresses);
  const wants = new Set(want.addresses);
  if (want.addresses.some((a) => !had.has(a)) || cur.addresses.some((a) => !wants.has(a))) out.push({ field: 'addresses', before: cur.addresses.join(' '), after: want.addresses.join(' ') });
  if (password === 'differs') out.push({ field: 'password', before: '(current)', after: '(changed)' });
  else if (password === 'unknown') out.push({ field: 'password', before: '(not compared)', after: 'sent' });
  const unreported = [...UNREPORTED.filter((k) => want[k] !== undefined), ...(want.neutral ? ['neutral'] : [])];
  if (unreported.length) out.push({ field: unreported.join(', '), before: null, after: 'sent' });
  return out;
}

/** The human lines of a field diff: "advskew 0 -> 100", "+ 198.18.0.101/24", "password changes"... */
export function describeFields(fields: FieldChange[]): string[] {
  const out: string[] = [];
  for (const f of fields) {
    if (f.field === 'addresses') {
      const had = (f.before ?? '').split(' ').filter(Boolean);
      const wants = (f.after ?? '').split(' ').filter(Boolean);
      for (const a of wants) if (!had.includes(a)) out.push(`+ ${a}`);
      for (const a of had) if (!wants.includes(a)) out.push(`- ${a}`);
    } else if (f.field === 'password') {
      out.push(f.after === 'sent' ? 'password sent (not compared: its agent has not reported its check value yet; it applies the password only if it differs)' : 'password changes');
    } else if (f.field === 'name') out.push(`name ${f.before ? JSON.stringify(f.before) : '(none)'} -> ${f.after ? JSON.stringify(f.after) : '(none)'}`);
    else if (f.after === 'sent' && f.before === null) {
      const n = f.field.split(', ').length;
      out.push(`${f.field} sent (the agent does not report ${n === 1 ? 'it' : 'them'}; it applies only what differs)`);
    } else out.push(`${f.field} ${f.before} -> ${f.after}`);
  }
  return out;
}

/** A new member's group, field by field from nothing. */
function createFields(c: GroupConfig): FieldChange[] {
  return [
    { field: 'interface', before: null, after: c.interface },
    ...(c.name ? [{ field: 'name', before: null, after: c.name }] : []),
    { field: 'addresses', before: null, after: c.addresses.join(' ') },
    { field: 'advbase', before: null, after: String(c.advbase) },
    { field: 'advskew', before: null, after: String(c.advskew) },
    { field: 'preempt', before: null, after: String(c.preempt) },
    { field: 'password', before: null, after: '(set)' },
  ];
}

export function describeConfig(c: GroupConfig): string {
  return `advbase ${c.advbase} advskew ${c.advskew}${c.preempt ? ' preempt' : ''}  ${c.addresses.join(' ')}`;
}

function render(title: string, p: Omit<Plan, 'preview'>): string {
  const lines = [title];
  for (const s of p.steps) {
    const head = `  ${s.host}: ${s.action}`;
    if (s.action === 'unchanged') lines.push(`${head}`);
    else if (s.action === 'create' && s.command?.cmd === 'putGroup') lines.push(`${head}  ${describeConfig(s.command.group)}`);
    else lines.push(`${head}${s.changes.length ? `  ${s.changes.join(', ')}` : ''}`);
  }
  for (const w of p.warnings) lines.push(`  warning: ${w}`);
  for (const e of p.errors) lines.push(`  error: ${e}`);
  return lines.join('\n');
}

/** A member that loses the group: what it had, to nothing. */
function deleteFields(vhid: number, m: Member): FieldChange[] {
  return [
    { field: 'vhid', before: `${vhid} on ${m.interface}`, after: null },
    { field: 'addresses', before: m.addresses.join(' '), after: null },
  ];
}

function checkHosts(fleet: Fleet, hosts: string[], errors: string[]): void {
  const known = new Map(fleet.hosts.map((h) => [h.host, h]));
  for (const h of hosts) {
    const v = known.get(h);
    if (!v) errors.push(`${h} is not in the inventory (known: ${[...known.keys()].join(', ') || 'none'})`);
    else if (v.status !== 'live') errors.push(`${h} is ${v.status}${v.error ? ` (${v.error})` : ''}: every member must be reachable to apply in two phases`);
  }
}

/** Plans `spec` as the whole truth for its vhid: members get putGroup, other hosts running it on the same segment get deleteGroup. */
export function planGroupApply(spec: GroupSpec, fleet: Fleet, passwords: PasswordChecks = NO_PASSWORD_CHECKS): Plan {
  const errors: string[] = [];
  const warnings: string[] = [];
  const steps: PlanStep[] = [];
  checkHosts(fleet, spec.members.map((m) => m.host), errors);
  const skews = new Map<number, string[]>();
  for (const m of spec.members) {
    const want = memberConfig(spec, m);
    skews.set(want.advbase * 256 + want.advskew, [...(skews.get(want.advbase * 256 + want.advskew) ?? []), m.host]);
    const cur = current(fleet, m.host, spec.vhid, want.interface);
    if (!cur) steps.push({ host: m.host, action: 'create', command: { cmd: 'putGroup', group: want }, changes: [describeConfig(want)], fields: createFields(want) });
    else {
      const fields = fieldDiff(cur, want, passwords.compare(m.host, want.interface));
      steps.push(
        fields.length
          ? { host: m.host, action: 'update', command: { cmd: 'putGroup', group: want }, changes: describeFields(fields), fields }
          : { host: m.host, action: 'unchanged', changes: [], fields: [] },
      );
    }
  }
  for (const [, hosts] of skews) {
    if (hosts.length > 1) warnings.push(`${hosts.join(' and ')} have the same advbase and advskew: give every member a distinct advskew (equal keys can flap)`);
  }
  // The fleet groups this spec describes: those where a member already runs the vhid on the interface
  // the spec gives it, or that share a virtual address with the spec (the group moved interface).
  // Other groups with the same vhid (another segment, other addresses) are different groups: left alone.
  const wantIface = new Map(spec.members.map((m) => [m.host, m.interface ?? spec.interface]));
  const mine = fleet.groups.filter(
    (g) => g.vhid === spec.vhid && g.members.some((m) => wantIface.get(m.host) === m.interface || m.addresses.some((a) => spec.addresses.includes(a))),
  );
  for (const g of mine) {
    for (const m of g.members) {
      const iface = wantIface.get(m.host);
      if (iface === m.interface) continue;
      const why = iface === undefined ? `remove vhid ${spec.vhid} (not a member any more)` : `remove vhid ${spec.vhid} from ${m.interface} (moved to ${iface})`;
      steps.push({ host: m.host, action: 'delete', command: { cmd: 'deleteGroup', vhid: spec.vhid, interface: m.interface }, changes: [why], fields: deleteFields(spec.vhid, m) });
      if (iface === undefined) checkHosts(fleet, [m.host], errors);
    }
  }
  const base = { vhid: spec.vhid, steps, errors, warnings };
  return { ...base, preview: render(`group vhid ${spec.vhid}${spec.name ? ` (${spec.name})` : ''} on ${spec.interface}: ${spec.addresses.join(' ')}`, base) };
}

/** Plans removing vhid from every host that runs it (optionally only on one segment). */
export function planGroupDelete(vhid: number, fleet: Fleet, segment?: string): Plan {
  const errors: string[] = [];
  const steps: PlanStep[] = [];
  for (const g of fleet.groups) {
    if (g.vhid !== vhid || (segment && g.segment !== segment)) continue;
    for (const m of g.members) {
      steps.push({ host: m.host, action: 'delete', command: { cmd: 'deleteGroup', vhid, interface: m.interface }, changes: [`remove vhid ${vhid} from ${m.interface}`], fields: deleteFields(vhid, m) });
    }
  }
  if (!steps.length) errors.push(`no host runs vhid ${vhid}${segment ? ` on ${segment}` : ''}`);
  checkHosts(fleet, [...new Set(steps.map((s) => s.host))], errors);
  // a vhid of a balanced set (arpbalance): say where its clients go
  const warnings = (fleet.balanced ?? [])
    .filter((u) => u.vhids.includes(vhid) && (!segment || u.segment === segment))
    .map((u) => {
      const rest = u.vhids.filter((v) => v !== vhid);
      return `vhid ${vhid} is one of the balanced set ${u.vhids.join(', ')} (${u.addresses.join(' ')} on ${u.segment}): its clients move to ${rest.length === 1 ? `vhid ${rest[0]}, which then serves every client as a plain group` : `vhids ${rest.join(', ')}`}; delete each vhid of the set to remove it`;
    });
  const base = { vhid, steps, errors, warnings };
  return { ...base, preview: render(`delete group vhid ${vhid}${segment ? ` on ${segment}` : ''}`, base) };
}
