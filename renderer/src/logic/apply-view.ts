// Group apply as the dialog shows it: the structured diff (outcome.diff when the core sends it, else
// the preview text), and each host's outcome as label + symbol.
import type { ApplyOutcome, HostDiff } from '../../../electron/core/commands/two-phase.js';
import type { StepAction } from '../../../electron/core/commands/plan.js';
import type { Tone } from './host-status.js';

export type { HostDiff };

/** outcome.diff, read defensively: a console core older than the structured diff sends only `preview`. */
export function structuredDiff(o: ApplyOutcome): HostDiff[] | null {
  const d = (o as ApplyOutcome & { diff?: unknown }).diff;
  if (!Array.isArray(d)) return null;
  return d
    .filter((x): x is HostDiff => !!x && typeof x === 'object' && typeof (x).host === 'string' && typeof (x).action === 'string')
    .map((x) => ({ host: x.host, action: x.action, fields: Array.isArray(x.fields) ? x.fields : [] }));
}

export const ACTION_LABEL: Record<StepAction, string> = { create: '+ create', update: '~ update', delete: '− delete', unchanged: '= unchanged' };

export function fieldValue(v: string | null): string {
  return v === null ? '(none)' : v;
}

const OUTCOME: Record<string, { label: string; symbol: string; tone: Tone }> = {
  unchanged: { label: 'unchanged', symbol: '=', tone: 'unknown' },
  validated: { label: 'validated (would change)', symbol: '✓', tone: 'ok' },
  refused: { label: 'refused', symbol: '✕', tone: 'bad' },
  applied: { label: 'applied', symbol: '✓', tone: 'ok' },
  failed: { label: 'failed', symbol: '✕', tone: 'bad' },
  unknown: { label: 'UNKNOWN (no reply)', symbol: '?', tone: 'bad' },
  'rolled-back': { label: 'rolled back', symbol: '↩', tone: 'warn' },
  'rollback-failed': { label: 'rollback FAILED', symbol: '‼', tone: 'bad' },
  skipped: { label: 'skipped (not reached)', symbol: '–', tone: 'unknown' },
};

export function outcomeDisplay(outcome: string): { label: string; symbol: string; tone: Tone } {
  return OUTCOME[outcome] ?? { label: outcome, symbol: '?', tone: 'unknown' };
}
