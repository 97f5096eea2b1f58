// One line of plain words per console event, for a host's "recent events": agent state changes with
// their reason, maintenance steps, deploys, group applies, host status changes, host keys, errors.
import type { ConsoleEvent } from '../../../electron/core/events.js';
import type { Tone } from './host-status.js';

export interface EventLine {
  at: number;
  host?: string;
  kind: string;
  text: string;
  tone: Tone;
}

/** The host an event is about (undefined: fleet-wide). */
export function eventHost(e: ConsoleEvent): string | undefined {
  return 'host' in e ? e.host : undefined;
}

/**
 * Whether the event belongs in the bounded recent-events list. Fleet snapshots are state, not history;
 * an agent's 'group' events (parameters and counters) are frequent and already reflected in the fleet.
 */
export function keepInHistory(e: ConsoleEvent): boolean {
  if (e.type === 'fleet') return false;
  if (e.type === 'agent' && e.event.kind === 'group') return false;
  // interfaces and protocol-112 senders are state (the fleet carries them), repeated on every change
  if (e.type === 'agent' && (e.event.kind === 'interfaces' || e.event.kind === 'foreign')) return false;
  return true;
}

export function describeEvent(e: ConsoleEvent): EventLine | null {
  const base = { at: e.at, host: eventHost(e), kind: e.type };
  switch (e.type) {
    case 'fleet':
      return null;
    case 'host': {
      const tone: Tone = e.status === 'live' ? 'ok' : e.status === 'stale' ? 'unknown' : 'bad';
      const label = e.status === 'stale' ? 'UNKNOWN (silent)' : e.status === 'no-agent' ? 'reachable, no agent' : e.status;
      return { ...base, text: `${e.host} is ${label}${e.error ? `: ${e.error}` : ''}`, tone };
    }
    case 'agent': {
      const a = e.event;
      switch (a.kind) {
        case 'state':
          return { ...base, kind: 'state', text: `vhid ${a.vhid} on ${a.interface}: ${a.from} → ${a.to} — ${a.reason}`, tone: a.to === 'MASTER' ? 'ok' : 'unknown' };
        case 'demotion':
          return { ...base, kind: 'demotion', text: `demotion ${a.demote}${a.maintenance ? ', maintenance ON' : ', maintenance off'}`, tone: a.maintenance || a.demote > 0 ? 'warn' : 'ok' };
        case 'config':
          return {
            ...base,
            kind: 'config',
            text: `config revision ${a.revision}${a.added.length ? `, added vhid ${a.added.join(', ')}` : ''}${a.removed.length ? `, removed vhid ${a.removed.join(', ')}` : ''}${a.changed.length ? `, changed vhid ${a.changed.join(', ')}` : ''}`,
            tone: 'unknown',
          };
        case 'error':
          return { ...base, kind: 'agent-error', text: `agent error${a.vhid !== undefined ? ` (vhid ${a.vhid})` : ''}: ${a.message}`, tone: 'bad' };
        case 'group':
          return { ...base, kind: 'group', text: `vhid ${a.group.vhid} parameters: advbase ${a.group.advbase} advskew ${a.group.advskew} demote ${a.group.demote}`, tone: 'unknown' };
      }
      return null;
    }
    case 'deploy':
      return {
        ...base,
        text: `deploy ${e.step}${e.detail ? `: ${e.detail}` : ''}`,
        tone: e.step === 'failed' || e.step === 'rolled-back' ? 'bad' : e.step === 'done' ? 'ok' : 'unknown',
      };
    case 'apply':
      return {
        ...base,
        text: `group apply ${e.step}${e.detail ? `: ${e.detail}` : ''}`,
        tone: ['failed', 'refused', 'unknown', 'rollback-failed'].includes(e.step) ? 'bad' : e.step === 'rolled-back' ? 'warn' : 'unknown',
      };
    case 'maintenance':
      return { ...base, text: `maintenance ${e.step}${e.detail ? `: ${e.detail}` : ''}`, tone: e.step === 'stopped' ? 'bad' : e.step === 'done' ? 'ok' : 'warn' };
    case 'host-key':
      return { ...base, text: `host key trusted: ${e.keyType} ${e.fingerprint} (recorded in ${e.file})`, tone: 'ok' };
    case 'error':
      return { ...base, text: `error ${e.code}: ${e.message}`, tone: 'bad' };
  }
  return null;
}

/** Recent lines about one host, newest first (by the event's time; arrival order breaks ties). */
export function hostEventLines(events: ConsoleEvent[], host: string, limit = 100): EventLine[] {
  const out: Array<EventLine & { seq: number }> = [];
  events.forEach((e, seq) => {
    if (eventHost(e) !== host) return;
    const line = describeEvent(e);
    if (line) out.push({ ...line, seq });
  });
  return out
    .sort((a, b) => b.at - a.at || b.seq - a.seq)
    .slice(0, limit)
    .map(({ seq: _, ...l }) => l);
}
