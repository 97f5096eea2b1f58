// The event → history record mapping: pure (no I/O, no clock: times come from the events). It keeps
// what it last saw (lanes, masters, demotion, findings) and turns each ConsoleEvent into the changes.
import type { ConsoleEvent } from '../events.js';
import type { Fleet, Finding } from '../fleet/types.js';
import type { HistoryRecord, LaneState } from './records.js';

/** Until every inventory host has reported once (or this long after the first fleet), nothing is recorded from the fleet: no startup flicker. */
export const WARMUP_MS = 10_000;
/** An agent's state-change reason is attached to the lane change that follows it within this long. */
const REASON_MS = 5_000;

function findingId(f: Finding): string {
  return `${f.kind}|${f.group ?? ''}|${[...f.hosts].sort().join(',')}`;
}

export interface Recorder {
  /** The records one console event adds (often none). */
  onEvent(e: ConsoleEvent): HistoryRecord[];
}

export function createRecorder(): Recorder {
  const lanes = new Map<string, LaneState>(); // host|group -> state
  const masters = new Map<string, string[]>(); // group -> live masters
  const demotion = new Map<string, string>(); // host -> "demote|maintenance"
  let findings = new Map<string, Finding>();
  const reasons = new Map<string, { reason: string; at: number }>(); // host|vhid|interface -> last state reason
  let firstFleetAt: number | null = null;
  let warm = false;

  const fromFleet = (fleet: Fleet): HistoryRecord[] => {
    const t = fleet.at;
    firstFleetAt ??= t;
    if (!warm) {
      const unheard = fleet.hosts.some((h) => h.lastSeen === 0 && !h.error && h.status === 'unreachable');
      if (unheard && t - firstFleetAt < WARMUP_MS) return [];
      warm = true;
    }
    const out: HistoryRecord[] = [];
    const seen = new Set<string>();
    for (const g of fleet.groups) {
      for (const m of g.members) {
        const id = `${m.host}|${g.key}`;
        seen.add(id);
        const state: LaneState = m.live ? m.state : 'UNKNOWN';
        if (lanes.get(id) === state) continue;
        lanes.set(id, state);
        const r = reasons.get(`${m.host}|${g.vhid}|${m.interface}`);
        const reason = m.live && r && t - r.at <= REASON_MS ? r.reason : undefined;
        out.push({ t, kind: 'state', host: m.host, group: g.key, ...(g.name ? { name: g.name } : {}), state, ...(reason ? { reason } : {}) });
      }
      const was = masters.get(g.key);
      const now = [...g.masters].sort();
      if (!was || was.join(',') !== now.join(',')) {
        masters.set(g.key, now);
        const unseen = g.members.filter((m) => !m.live && m.state === 'MASTER').map((m) => m.host);
        out.push({ t, kind: 'master', group: g.key, masters: now, was: was ?? [], ...(now.length === 0 && unseen.length ? { unseen } : {}) });
      }
    }
    for (const [id, state] of lanes) {
      if (seen.has(id) || state === 'GONE') continue;
      lanes.set(id, 'GONE');
      const [host, group] = id.split('|') as [string, string];
      out.push({ t, kind: 'state', host, group, state: 'GONE' });
      const before = masters.get(group);
      if (!fleet.groups.some((g) => g.key === group) && before?.length) {
        masters.set(group, []);
        out.push({ t, kind: 'master', group, masters: [], was: before });
      }
    }
    for (const h of fleet.hosts) {
      if (h.demote === undefined) continue;
      const key = `${h.demote}|${!!h.maintenance}`;
      const before = demotion.get(h.host);
      if (before === key) continue;
      demotion.set(h.host, key);
      out.push({ t, kind: 'demotion', host: h.host, demote: h.demote, maintenance: !!h.maintenance });
    }
    const next = new Map(fleet.findings.map((f) => [findingId(f), f]));
    for (const [id, f] of next) {
      if (!findings.has(id)) out.push({ t, kind: 'finding', raised: true, finding: f.kind, severity: f.severity, ...(f.group ? { group: f.group } : {}), hosts: [...f.hosts], message: f.message });
    }
    for (const [id, f] of findings) {
      if (!next.has(id)) out.push({ t, kind: 'finding', raised: false, finding: f.kind, severity: f.severity, ...(f.group ? { group: f.group } : {}), hosts: [...f.hosts], message: f.message });
    }
    findings = next;
    return out;
  };

  return {
    onEvent(e) {
      switch (e.type) {
        case 'fleet':
          return fromFleet(e.fleet);
        case 'agent':
          if (e.event.kind === 'state') reasons.set(`${e.host}|${e.event.vhid}|${e.event.interface}`, { reason: e.event.reason, at: e.receivedAt });
          return [];
        case 'maintenance':
          return [{ t: e.at, kind: 'maintenance', host: e.host, step: e.step, ...pick(e, ['group', 'to', 'detail', 'op']) }];
        case 'deploy':
          return [{ t: e.at, kind: 'deploy', host: e.host, step: e.step, ...pick(e, ['detail', 'op']) }];
        case 'apply':
          return [{ t: e.at, kind: 'apply', step: e.step, ...pick(e, ['host', 'detail', 'op']) }];
        default:
          return [];
      }
    },
  };
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** What an operator's call looks like in the history: the arguments in short, never a password. */
export function describeArgs(method: string, args: unknown[]): string {
  const text = JSON.stringify(args, (k, v: unknown) => (k === 'password' || k === 'text' ? '…' : v));
  const short = text.length > 300 ? `${text.slice(0, 299)}…` : text;
  return `${method}(${short.slice(1, -1)})`;
}
