// What the console's history holds: one JSON line per record (state changes per host × group, masters,
// demotion, maintenance/deploy/apply steps, findings raised and cleared, operator actions). No Node imports.
import type { CarpState } from '../../../agent/control/messages.js';
import type { GroupKey, Severity } from '../fleet/types.js';

/** A lane's state: the member's CARP state, UNKNOWN while its host is not live, GONE when the host left the group. */
export type LaneState = CarpState | 'UNKNOWN' | 'GONE';

export type HistoryRecord =
  /** The console started, stopped cleanly, or is still running (every minute): gaps in between are "no data". */
  | { t: number; kind: 'console'; what: 'start' | 'stop' | 'alive' }
  /** One member (host × group) changed state; `reason` is its agent's own, when it reported one. */
  | { t: number; kind: 'state'; host: string; group: GroupKey; name?: string; state: LaneState; reason?: string }
  /**
   * The group's live masters changed (none: an outage; several: split brain); `was`: the masters before;
   * `unseen`: members the console cannot hear that were MASTER when last heard (they may still serve).
   */
  | { t: number; kind: 'master'; group: GroupKey; masters: string[]; was: string[]; unseen?: string[] }
  | { t: number; kind: 'demotion'; host: string; demote: number; maintenance: boolean }
  | { t: number; kind: 'maintenance'; host: string; step: string; group?: string; to?: string; detail?: string; op?: string }
  | { t: number; kind: 'deploy'; host: string; step: string; detail?: string; op?: string }
  | { t: number; kind: 'apply'; host?: string; step: string; detail?: string; op?: string }
  | { t: number; kind: 'finding'; raised: boolean; finding: string; severity: Severity; group?: GroupKey; hosts: string[]; message: string }
  /** An operator's change through the console (a mutating ConsoleApi call): who, what, when, and how it ended. */
  | { t: number; kind: 'action'; who: string; method: string; args: string; ok: boolean; error?: string; host?: string };

export type HistoryKind = HistoryRecord['kind'];

/** ConsoleApi.history's question: records with from <= t <= to, optionally only these hosts/groups. */
export interface HistoryQuery {
  from: number;
  to?: number;
  hosts?: string[];
  groups?: string[];
  /**
   * Page forward: at most this many records of the range, the OLDEST first (`truncated`: more follow; ask
   * again from the last one's t). Without it a reply carries up to HISTORY_REPLY_MAX, the newest.
   */
  limit?: number;
  /** false: without each lane's and group's state at `from` (the next page of a range needs none). Default true. */
  prelude?: boolean;
}

export interface HistoryPage {
  /** Oldest first; before the records of the range, each lane's last state and each group's last masters before `from`. */
  records: HistoryRecord[];
  /** More records matched than the reply carries (the newest are kept; with `limit`, the oldest): ask for a shorter range, or the next page. */
  truncated: boolean;
  /** The oldest record the store still holds (older data was dropped by the bounds), or null when empty. */
  oldest: number | null;
}

/** The most records one history() reply carries. */
export const HISTORY_REPLY_MAX = 50_000;

/** Whether a record concerns one of `hosts` / `groups` (records about the console itself always do). */
export function recordMatches(r: HistoryRecord, hosts?: Set<string>, groups?: Set<string>): boolean {
  if (r.kind === 'console' || r.kind === 'action') return true;
  const host = 'host' in r ? r.host : undefined;
  const group = r.kind === 'state' || r.kind === 'master' || r.kind === 'finding' ? r.group : undefined;
  if (hosts && host !== undefined && !hosts.has(host)) return false;
  if (hosts && r.kind === 'finding' && !r.hosts.some((h) => hosts.has(h))) return false;
  if (groups && group !== undefined && !groups.has(group)) return false;
  return true;
}

/** A line read back from disk: a record if it has the shape of one, else null (skipped). */
export function parseRecordLine(line: string): HistoryRecord | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const o = v as { t?: unknown; kind?: unknown };
  if (typeof o.t !== 'number' || !Number.isFinite(o.t) || typeof o.kind !== 'string') return null;
  if (!['console', 'state', 'master', 'demotion', 'maintenance', 'deploy', 'apply', 'finding', 'action'].includes(o.kind)) return null;
  return v as HistoryRecord;
}
