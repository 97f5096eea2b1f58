// The group card's history lines: since when its master has been master (the member's own `since`) and
// the group's last failover with its cause, from the console's history: the cards that ask in the same
// moment share one read, of their own groups only (a week of 1,000 groups would be 50,000 records).
import { useEffect, useState } from 'react';
import type { ConsoleClient } from '../../../electron/core/contract.js';
import type { FleetGroup } from '../../../electron/core/fleet/types.js';
import { useApp } from '../hooks.js';
import { failoversOf, formatDuration, lastFailover, masterSince, type Failover, type Timeline } from '../logic/timeline.js';

/** The last failovers are looked for this far back. */
const LOOKBACK_MS = 7 * 24 * 3600_000;
/** A group's answer is reused this long (cards mounted together, or re-rendered, ask once). */
const SHARE_MS = 3000;
type Failovers = Pick<Timeline, 'failovers'>;
const answers = new Map<string, { client: ConsoleClient; at: number; read: Promise<Failover | null> }>();
let pending: { client: ConsoleClient; groups: Set<string>; read: Promise<Failovers | null> } | null = null;

function lastFailoverOf(client: ConsoleClient, group: string): Promise<Failover | null> {
  const now = Date.now();
  const known = answers.get(group);
  if (known && known.client === client && now - known.at < SHARE_MS) return known.read;
  if (!pending || pending.client !== client) {
    const batch: { client: ConsoleClient; groups: Set<string>; read: Promise<Failovers | null> } = { client, groups: new Set(), read: Promise.resolve(null) };
    // the groups asked for until the next task make one read
    batch.read = new Promise<void>((r) => setTimeout(r, 0)).then(() => {
      if (pending === batch) pending = null;
      return client.history({ from: Date.now() - LOOKBACK_MS, groups: [...batch.groups] }).then(
        (p) => failoversOf(p.records, Date.now()),
        () => null, // a console without history: the card says nothing about failovers
      );
    });
    pending = batch;
  }
  pending.groups.add(group);
  const read = pending.read.then((tl) => (tl ? lastFailover(tl, group) : null));
  if (answers.size > 5000) answers.clear();
  answers.set(group, { client, at: now, read });
  return read;
}

// one formatter for every card (toLocaleString builds one per call: a profile of 1,000 groups showed it on top)
const DATE_TIME = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hour12: false });
const fmt = (t: number) => DATE_TIME.format(t);

export function GroupHistoryMeta({ group: g, now }: { group: FleetGroup; now: number }) {
  const { client } = useApp();
  const [last, setLast] = useState<Failover | null>(null);
  const masterKey = g.masters.join(',');
  useEffect(() => {
    let alive = true;
    // a moment after a change of master, so that the history holds it
    const t = window.setTimeout(() => {
      void lastFailoverOf(client, g.key).then((f) => alive && setLast(f));
    }, 500);
    return () => {
      alive = false;
      window.clearTimeout(t);
    };
  }, [client, g.key, masterKey]);
  const master = g.master ? g.members.find((m) => m.host === g.master && m.live) : undefined;
  // the agent's own `since`, unless the console saw the group come back to it later (its agent frozen, say)
  const since = master ? masterSince(master.since, master.host, last) : 0;
  return (
    <>
      {master && (
        <div>
          <dt>Master since</dt>
          <dd title={fmt(since)}>
            {fmt(since)} ({formatDuration(Math.max(0, now - since))})
          </dd>
        </div>
      )}
      <div>
        <dt>Last failover</dt>
        <dd className="last-failover">
          {last ? (
            <span title={last.reason ?? undefined}>
              {last.from.join(', ')} → {last.to.join(', ')} at {fmt(last.t)}, {last.cause}
              {last.gapMs > 0 ? ` (${formatDuration(last.gapMs)} without a master)` : ''}
            </span>
          ) : (
            <span className="muted">none recorded</span>
          )}
        </dd>
      </div>
    </>
  );
}
