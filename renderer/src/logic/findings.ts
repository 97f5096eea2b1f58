// Findings as the board shows them: severity as text + icon, a short title per kind, the one-click
// fix's button label, and which findings belong on a group card vs. at the top of the board.
import type { Finding, FindingAction, FindingKind, GroupKey, Severity } from '../../../electron/core/fleet/types.js';
import type { Tone } from './host-status.js';

export const SEVERITY: Record<Severity, { label: string; symbol: string; tone: Tone; rank: number }> = {
  error: { label: 'Error', symbol: '✕', tone: 'bad', rank: 0 },
  warning: { label: 'Warning', symbol: '⚠', tone: 'warn', rank: 1 },
  info: { label: 'Info', symbol: 'ℹ', tone: 'unknown', rank: 2 },
};

const TITLES: Record<FindingKind, string> = {
  'split-brain': 'Split brain',
  'no-master': 'No master',
  'mismatch:password': 'Passwords differ',
  'mismatch:addresses': 'Virtual addresses differ',
  'mismatch:advbase': 'advbase differs',
  'vhid-collision': 'vhid used twice',
  'single-member': 'Single member',
  'host-down': 'Host not live',
  maintenance: 'In maintenance',
  'maintenance-all': 'Every member in maintenance',
  'stuck-demotion': 'Demotion left over',
  'split-masters': 'Masters split across hosts',
  'agent-restarting': 'Agent restarted',
  'balance:member-missing': 'Balanced set incomplete',
  'balance:mismatch': 'Balanced set mismatch',
};

/** A finding's title; a kind this renderer does not know yet (a newer core) shows as itself. */
export function findingTitle(kind: string): string {
  return TITLES[kind as FindingKind] ?? kind;
}

/** The label of the fix button: "Reset demotion on fw1", "Leave maintenance on fw1". */
export function actionLabel(a: FindingAction): string {
  return a.kind === 'reset-demotion' ? `Reset demotion on ${a.host}` : `Leave maintenance on ${a.host}`;
}

export function sortFindings(fs: Finding[]): Finding[] {
  return [...fs].sort((a, b) => SEVERITY[a.severity].rank - SEVERITY[b.severity].rank || a.message.localeCompare(b.message));
}

export function findingsOfGroup(fs: Finding[], key: GroupKey): Finding[] {
  return sortFindings(fs.filter((f) => f.group === key));
}

/** Findings that belong to no group (a host down, a host in maintenance...): shown at the top of the board. */
export function fleetWideFindings(fs: Finding[]): Finding[] {
  return sortFindings(fs.filter((f) => !f.group));
}

export function findingsOfHost(fs: Finding[], host: string): Finding[] {
  return sortFindings(fs.filter((f) => f.hosts.includes(host)));
}

/** The worst severity among findings, or null. */
export function worstSeverity(fs: Finding[]): Severity | null {
  return fs.length ? sortFindings(fs)[0].severity : null;
}
