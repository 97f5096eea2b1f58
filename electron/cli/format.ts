// carpctl's human output: groups like `ifconfig carp`, hosts, findings, events, apply and maintenance results.
import type { ConsoleEvent } from '../core/events.js';
import type { Fleet, FleetGroup, Member } from '../core/fleet/types.js';
import type { ApplyOutcome } from '../core/commands/two-phase.js';
import type { MaintenanceResult } from '../core/maintenance/driver.js';
import { hostReportText } from '../core/fleet/foreign.js';
import { allowText } from '../core/fleet/allow-text.js';
import { linkDemotionText } from '../core/fleet/link-demotion-text.js';
import { formatBalanced } from './format-balanced.js';

const FINDING_LABEL: Record<string, string> = {
  'split-brain': 'split brain',
  'no-master': 'no master',
  'mismatch:password': 'password mismatch',
  'mismatch:addresses': 'address mismatch',
  'mismatch:advbase': 'advbase mismatch',
  'vhid-collision': 'vhid collision',
  'single-member': 'single member',
  'host-down': 'host down',
  maintenance: 'maintenance',
  'balance:member-missing': 'balanced set incomplete',
  'balance:mismatch': 'balanced set mismatch',
};

function params(m: Member): string {
  const wire = m.wireAdvskew !== m.advskew || m.wireAdvbase !== m.advbase ? ` (wire ${m.wireAdvbase}/${m.wireAdvskew})` : '';
  return `advbase ${m.advbase} advskew ${m.advskew}${wire} demote ${m.demote}`;
}

export function formatGroup(g: FleetGroup): string[] {
  const master = g.members.find((m) => m.host === g.master);
  const head = master
    ? `MASTER ${master.host} (${params(master)})`
    : g.masters.length > 1
      ? `MASTER ${g.masters.join(' + ')} (split brain)`
      : 'no MASTER';
  const lines = [`${g.segment} vhid ${g.vhid}${g.name ? ` (${g.name})` : ''}  ${head}  successor ${g.successors.length > 1 ? `${g.successors.join(' or ')} (tie)` : (g.successor ?? 'none')}  ${g.addresses.join(' ')}`];
  for (const m of g.members) {
    const flags = [m.preempt ? 'preempt' : '', m.balanced ? `balanced ${m.balanced.join(',')}` : '', m.maintenance ? 'maintenance' : '', m.password === 'differs' ? 'password-differs' : '', m.live ? '' : m.hostStatus].filter(Boolean).join(' ');
    lines.push(`\t${m.host.padEnd(10)} ${m.interface} ${m.state.padEnd(6)} ${params(m)}${flags ? ` ${flags}` : ''}  src ${m.srcip}`);
  }
  return lines;
}

export function formatStatus(f: Fleet): string {
  const out: string[] = [];
  for (const g of f.groups) out.push(...formatGroup(g));
  if (!f.groups.length) out.push('no CARP groups');
  for (const u of f.balanced ?? []) out.push(formatBalanced(u));
  for (const h of f.hosts) {
    const a = allowText(h);
    if (a) out.push(`! ${a.label}: ${a.detail}`);
  }
  for (const x of f.findings) out.push(`! ${FINDING_LABEL[x.kind] ?? x.kind}: ${x.message}`);
  return out.join('\n');
}

/** One line per host; `trust` says where its key trust comes from (a known_hosts line, or unknown). */
export function formatHosts(f: Fleet, trust?: (host: string) => string): string {
  return f.hosts
    .map((h) => `${h.host.padEnd(10)} ${h.status.padEnd(11)} ${h.kernel ? `kernel CARP (${h.kernel.label})${h.kernel.counters?.ipackets !== undefined ? `, carp in ${h.kernel.counters.ipackets} out ${h.kernel.counters.opackets ?? 0}` : ''}` : h.agentVersion ? `agent ${h.agentVersion}` : 'no agent'}  groups ${h.groups}${trust ? `  key ${trust(h.host)}` : ''}${h.demote !== undefined ? `  demote ${h.demote}` : ''}${linkDemotionText(h.linkDemotion) ? `  ${linkDemotionText(h.linkDemotion)}` : ''}${h.maintenance ? '  MAINTENANCE' : ''}${allowText(h) ? `  ${allowText(h)!.label.toUpperCase()}` : ''}${h.arpbalance ? '  arpbalance' : ''}${h.restarts ? `  restarts ${h.restarts.count} (last ${new Date(h.restarts.lastAt).toISOString()}: ${h.restarts.lastReason})` : ''}${h.error ? `  (${h.error})` : ''}`)
    .join('\n');
}

export function formatEvent(e: ConsoleEvent): string {
  const t = new Date(e.at).toISOString();
  switch (e.type) {
    case 'host':
      return `${t} ${e.host} ${e.status}${e.error ? `: ${e.error}` : ''}`;
    case 'fleet':
      return `${t} fleet: ${e.fleet.groups.map((g) => `vhid ${g.vhid} ${g.master ?? 'no master'}`).join(', ') || 'no groups'}${e.fleet.findings.length ? ` (${e.fleet.findings.length} finding(s))` : ''}`;
    case 'agent': {
      const ev = e.event;
      const body =
        ev.kind === 'state'
          ? `${ev.interface} vhid ${ev.vhid} ${ev.from} -> ${ev.to}: ${ev.reason}`
          : ev.kind === 'demotion'
            ? `demote ${ev.demote}${linkDemotionText(ev.linkDemotion) ? ` ${linkDemotionText(ev.linkDemotion)}` : ''}${ev.maintenance ? ' maintenance' : ''}`
            : ev.kind === 'config'
              ? `config revision ${ev.revision}${ev.added.length ? ` +${ev.added.join(',')}` : ''}${ev.removed.length ? ` -${ev.removed.join(',')}` : ''}${ev.changed.length ? ` ~${ev.changed.join(',')}` : ''}`
              : ev.kind === 'group'
                ? `vhid ${ev.group.vhid} ${ev.group.state} advskew ${ev.group.wireAdvskew} demote ${ev.group.demote}`
                : ev.kind === 'interfaces' || ev.kind === 'foreign'
                  ? hostReportText(ev)
                  : `error${ev.vhid ? ` vhid ${ev.vhid}` : ''}: ${ev.message}`;
      return `${t} ${e.host} ${body}`;
    }
    case 'deploy':
    case 'apply':
      return `${t} ${e.type} ${e.host ?? '*'} ${e.step}${e.detail ? `: ${e.detail}` : ''}`;
    case 'maintenance':
      return `${t} maintenance ${e.host} ${e.step}${e.group ? ` ${e.group}` : ''}${e.detail ? `: ${e.detail}` : ''}`;
    case 'host-key':
      return `${t} ${e.host} host key ${e.keyType} ${e.fingerprint} trusted (${e.file})`;
    case 'error':
      return `${t} error${e.host ? ` ${e.host}` : ''} [${e.code}] ${e.message}`;
  }
}

export function formatApply(r: ApplyOutcome): string {
  const lines = [r.preview, ''];
  for (const h of r.hosts) lines.push(`  ${h.host.padEnd(10)}${h.vhid !== undefined ? ` vhid ${h.vhid}` : ''} ${h.outcome}${h.revision !== undefined ? ` (revision ${h.revision})` : ''}${h.error ? `: ${h.error.message}` : ''}`);
  lines.push(`${r.ok ? 'ok' : 'FAILED'}: ${r.summary}`);
  return lines.join('\n');
}

export function formatMaintenance(r: MaintenanceResult): string {
  const moved = r.handovers.map((h) => `${h.group} -> ${h.to}`).join(', ');
  return r.ok
    ? `${r.host}: done${moved ? `; handed over ${moved}` : ''}${r.inMaintenance ? `; ${r.host} is IN MAINTENANCE` : ''}`
    : `${r.host}: stopped at ${r.stoppedAt}: ${r.reason}${r.inMaintenance ? `\n${r.host} is IN MAINTENANCE (carpctl maintenance exit ${r.host})` : ''}`;
}
