// Desktop notifications, decided here (pure): the diff of two fleets into items (a group changed
// master, lost it, or got an error finding), per-group mutes, and a window that coalesces a burst into one.
import type { Fleet, FleetGroup, GroupKey } from '../../../electron/core/fleet/types.js';
import { groupTitle } from './groups.js';

/** Changes within this window of the first one become one notification (no storm). */
export const NOTIFY_WINDOW_MS = 3000;
/** Lines of a coalesced notification's body; the rest is counted ("and 4 more"). */
export const NOTIFY_MAX_LINES = 4;

export type NotifyKind = 'master-changed' | 'master-lost' | 'error-finding';

export interface NotifyItem {
  group: GroupKey;
  kind: NotifyKind;
  /** "vhid 1 · lan-gateway (198.18.0.0/24)". */
  where: string;
  /** "fw3 is MASTER (was fw1)". */
  what: string;
  /** For master changes: who was MASTER before and after (empty: nobody; several: split brain). */
  from?: string[];
  to?: string[];
}

export interface Notice {
  title: string;
  body: string;
  /** Same tag: a later notification replaces the earlier one in the desktop's list. */
  tag: string;
  items: NotifyItem[];
}

const whereOf = (g: FleetGroup) => `${groupTitle(g)} (${g.segment})`;

/** Who is MASTER: [] for nobody, one host, or several (split brain). */
function mastersOf(g: Pick<FleetGroup, 'master' | 'masters'>): string[] {
  return g.masters.length > 1 ? [...g.masters] : g.master ? [g.master] : [];
}

const said = (m: string[]) => (m.length ? m.join(' and ') : 'none');

/** "fw3 is MASTER", "no master", "split brain: fw1 and fw3 are all MASTER". */
function stateText(m: string[]): string {
  if (m.length > 1) return `split brain: ${m.join(' and ')} are all MASTER`;
  return m.length ? `${m[0]} is MASTER` : 'no master';
}

/** One master change in words: "fw3 is MASTER (was fw1)". */
function changeText(from: string[], to: string[]): string {
  return `${stateText(to)} (was ${said(from)})`;
}

/**
 * Whether a group's new masters are hosts the console had not heard from yet in the previous fleet
 * (not members then, or members never heard: lastSeen 0). Such a "change" is the console connecting
 * to a host that was already MASTER (right after the console starts), not a failover.
 */
function firstHeard(prev: FleetGroup, to: string[]): boolean {
  return to.some((h) => {
    const m = prev.members.find((x) => x.host === h);
    return !m || (!m.live && !m.lastSeen);
  });
}

/**
 * What happened between two fleets that is worth a notification. Nothing for the first fleet (the
 * console just connected), for hosts heard for the first time, for groups that appear or vanish, or
 * for findings that were already there.
 */
export function diffFleets(prev: Fleet | null, next: Fleet): NotifyItem[] {
  if (!prev) return [];
  const before = new Map(prev.groups.map((g) => [g.key, g]));
  const items: NotifyItem[] = [];
  const told = new Set<GroupKey>();
  for (const g of next.groups) {
    const p = before.get(g.key);
    if (!p) continue;
    const from = mastersOf(p);
    const to = mastersOf(g);
    if (said(from) === said(to) || firstHeard(p, to)) continue;
    items.push({ group: g.key, kind: to.length === 1 ? 'master-changed' : 'master-lost', where: whereOf(g), what: changeText(from, to), from, to });
    told.add(g.key);
  }
  const errorsBefore = new Set(prev.findings.filter((f) => f.severity === 'error' && f.group).map((f) => `${f.group}|${f.kind}`));
  const names = new Map(next.groups.map((g) => [g.key, whereOf(g)]));
  for (const f of next.findings) {
    if (f.severity !== 'error' || !f.group || errorsBefore.has(`${f.group}|${f.kind}`)) continue;
    // "no master" and "split brain" were said above by the master change itself.
    if (told.has(f.group) && (f.kind === 'no-master' || f.kind === 'split-brain')) continue;
    if (!before.has(f.group)) continue;
    items.push({ group: f.group, kind: 'error-finding', where: names.get(f.group) ?? f.group, what: f.message });
  }
  return items;
}

/** Items of groups the user did not mute. */
export function unmuted(items: NotifyItem[], muted: ReadonlySet<GroupKey>): NotifyItem[] {
  return items.filter((i) => !muted.has(i.group));
}

/**
 * A group's master changes within one window, merged into their net effect with the steps in between:
 * fw1 → (nobody) → fw3 reads "fw3 is MASTER (was fw1; briefly no master)". Other items stay as they are.
 */
export function mergeChanges(items: NotifyItem[]): NotifyItem[] {
  const out: NotifyItem[] = [];
  const at = new Map<GroupKey, { index: number; steps: string[][] }>();
  for (const i of items) {
    if (!i.from || !i.to) {
      out.push(i);
      continue;
    }
    const seen = at.get(i.group);
    if (!seen) {
      at.set(i.group, { index: out.length, steps: [i.from, i.to] });
      out.push(i);
      continue;
    }
    seen.steps.push(i.to);
    const from = seen.steps[0];
    const to = seen.steps[seen.steps.length - 1];
    const between = seen.steps.slice(1, -1).map((m) => (m.length > 1 ? 'split brain' : m.length ? `${m[0]} MASTER` : 'no master'));
    const back = said(from) === said(to);
    const what = `${stateText(to)}${back && to.length === 1 ? ' again' : ''} (was ${said(from)}; briefly ${between.join(', then ')})`;
    out[seen.index] = { ...out[seen.index], kind: to.length === 1 ? 'master-changed' : 'master-lost', what, to };
  }
  return out;
}

/** One notification for a burst of items: titled by the group when it is one, else by the count. */
export function noticeOf(all: NotifyItem[]): Notice {
  const items = mergeChanges(all);
  const groups = [...new Set(items.map((i) => i.group))];
  const one = groups.length === 1;
  const title = one ? `CARP · ${items[0].where}` : `CARP · ${groups.length} groups changed`;
  const lines = items.slice(0, NOTIFY_MAX_LINES).map((i) => (one ? i.what : `${i.where}: ${i.what}`));
  if (items.length > NOTIFY_MAX_LINES) lines.push(`and ${items.length - NOTIFY_MAX_LINES} more`);
  return { title, body: lines.join('\n'), tag: 'carp-console', items: all };
}

/**
 * The coalescing window. The first item opens it; everything that arrives until it closes joins it;
 * when it closes (NOTIFY_WINDOW_MS after it opened) it yields one Notice. So at most one notification
 * per window, however many changes stream in. The caller passes the time (tests use a fake clock).
 */
export class Coalescer {
  private pending: NotifyItem[] = [];
  private openedAt: number | null = null;

  constructor(private readonly windowMs = NOTIFY_WINDOW_MS) {}

  add(items: NotifyItem[], now: number): void {
    if (!items.length) return;
    if (this.openedAt === null) this.openedAt = now;
    this.pending.push(...items);
  }

  /** When the open window closes (ms, the caller's clock), or null when nothing is pending. */
  dueAt(): number | null {
    return this.openedAt === null ? null : this.openedAt + this.windowMs;
  }

  /** The window's Notice once it has closed; null while it is still open or empty. */
  take(now: number): Notice | null {
    const due = this.dueAt();
    if (due === null || now < due) return null;
    const n = noticeOf(this.pending);
    this.pending = [];
    this.openedAt = null;
    return n;
  }
}

/** Per-group mutes as stored in localStorage: a JSON array of group keys; anything else reads as none. */
export function parseMuted(stored: string | null): Set<GroupKey> {
  if (!stored) return new Set();
  try {
    const v: unknown = JSON.parse(stored);
    return new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

export function serializeMuted(muted: ReadonlySet<GroupKey>): string {
  return JSON.stringify([...muted].sort());
}
