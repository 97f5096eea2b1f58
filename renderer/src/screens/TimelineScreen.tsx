// The timeline: one lane per host × group with state bars over time, operator actions and demotion
// marked on the lanes, each outage with its duration, zoom, pan, filters and CSV export (logic/timeline.ts).
import { useEffect, useMemo, useState } from 'react';
import type { HistoryPage } from '../../../electron/core/history/records.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useApp, useConsoleNow } from '../hooks.js';
import { toCallError } from '../logic/errors.js';
import type { CallError } from '../logic/wizard.js';
import { SPANS, axisTicks, buildTimeline, clip, filterLanes, formatDuration, rowsOf, stateLook, timelineCsv, visibleRange, type Lane, type Mark, type Outage } from '../logic/timeline.js';
import './timeline.css';

const ROW_H = 30;
const VIEW_H = 520;
const fmt = (t: number) => new Date(t).toLocaleString(undefined, { hour12: false });
const fmtTick = (t: number, span: number) =>
  span > 24 * 3600_000 ? new Date(t).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }) : new Date(t).toLocaleTimeString(undefined, { hour12: false });

export function TimelineScreen() {
  const { client } = useApp();
  const now = useConsoleNow(1000);
  const [spanIdx, setSpanIdx] = useState(2); // 15 min
  /** The right edge of the window; null: follows now (live). */
  const [end, setEnd] = useState<number | null>(null);
  const [host, setHost] = useState('');
  const [group, setGroup] = useState('');
  const [page, setPage] = useState<HistoryPage | null>(null);
  const [error, setError] = useState<CallError | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const span = SPANS[spanIdx].ms;
  const to = end ?? now;
  const from = to - span;
  // refetched when the window moves, and every 5 s while it follows now
  const fetchKey = end === null ? Math.floor(now / 5000) : end;
  useEffect(() => {
    let alive = true;
    const right = end ?? Date.now() + 60_000;
    client.history({ from: right - span - 60_000, to: right }).then(
      (p) => {
        if (!alive) return;
        setPage(p);
        setError(null);
      },
      (e: unknown) => alive && setError(toCallError(e)),
    );
    return () => {
      alive = false;
    };
  }, [client, span, end, fetchKey]);

  const tl = useMemo(() => buildTimeline(page?.records ?? [], to), [page, to]);
  const hosts = useMemo(() => [...new Set(tl.lanes.map((l) => l.host))].sort(), [tl]);
  const groups = useMemo(() => [...new Map(tl.lanes.map((l) => [l.group, l.name])).entries()].sort((a, b) => a[0].localeCompare(b[0])), [tl]);
  const lanes = filterLanes(tl.lanes, host ? [host] : [], group ? [group] : []);
  const rows = rowsOf(lanes);
  const win = visibleRange(rows.length, ROW_H, scrollTop, VIEW_H);
  const x = (t: number) => `${(((Math.min(Math.max(t, from), to) - from) / span) * 100).toFixed(3)}%`;
  const w = (a: number, b: number) => `${((Math.max(0, Math.min(b, to) - Math.max(a, from)) / span) * 100).toFixed(3)}%`;
  const shownGroups = new Set(lanes.map((l) => l.group));
  const outages = clip(tl.outages, from, to).filter((o) => shownGroups.has(o.group));
  const failovers = tl.failovers.filter((f) => shownGroups.has(f.group) && f.t >= from && f.t <= to);
  const fullOutage = (o: Outage): Outage => tl.outages.find((x) => x.group === o.group && x.start <= o.start && x.end >= o.start) ?? o;

  const exportCsv = () => {
    const blob = new Blob([timelineCsv(tl, lanes, from, to)], { type: 'text/csv' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `carp-timeline-${new Date(from).toISOString().replace(/[:.]/g, '-')}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  return (
    <main className="screen timeline-screen" aria-labelledby="timeline-title">
      <div className="screen-head">
        <h1 id="timeline-title">Timeline</h1>
        <p className="muted">
          {fmt(from)} – {end === null ? 'now' : fmt(to)}
          {page?.oldest ? ` · history kept since ${fmt(page.oldest)}` : ''}
        </p>
      </div>
      <div className="toolbar timeline-toolbar" role="group" aria-label="Timeline range and filters">
        <span role="group" aria-label="Zoom" className="zoom">
          {SPANS.map((s, i) => (
            <button type="button" key={s.label} aria-pressed={i === spanIdx} onClick={() => setSpanIdx(i)}>
              {s.label}
            </button>
          ))}
        </span>
        <button type="button" onClick={() => setEnd(to - span / 2)}>
          ← Earlier
        </button>
        <button type="button" disabled={end === null} onClick={() => setEnd(to + span / 2 >= now ? null : to + span / 2)}>
          Later →
        </button>
        <button type="button" disabled={end === null} onClick={() => setEnd(null)}>
          Now
        </button>
        <label htmlFor="tl-group">Group</label>
        <select id="tl-group" value={group} onChange={(e) => setGroup(e.target.value)}>
            <option value="">all groups</option>
            {groups.map(([g, name]) => (
              <option key={g} value={g}>
                {name ? `${name} (${g})` : g}
              </option>
            ))}
          </select>
        <label htmlFor="tl-host">Host</label>
        <select id="tl-host" value={host} onChange={(e) => setHost(e.target.value)}>
            <option value="">all hosts</option>
            {hosts.map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </select>
        <button type="button" onClick={exportCsv} disabled={!lanes.length}>
          Export CSV
        </button>
      </div>
      {error && <ErrorNote error={error} what="Could not read the history" />}
      {page?.truncated && <p className="banner banner-warn">More happened in this range than one reply carries: the newest records are shown. Zoom in.</p>}

      <section className="panel" aria-labelledby="outages-title">
        <h2 id="outages-title">
          Outages and failovers in view ({outages.length} outage{outages.length === 1 ? '' : 's'}, {failovers.length} failover{failovers.length === 1 ? '' : 's'})
        </h2>
        {!outages.length && !failovers.length && <p className="muted">No group lost or changed its master in this range.</p>}
        <ul className="timeline-events">
          {outages.map((o) => {
            const full = fullOutage(o);
            return (
              <li key={`o-${o.group}-${o.start}`} className="outage-item">
                <span className="badge tone-bad">
                  <span aria-hidden="true">✕ </span>no master
                </span>{' '}
                <span className="mono">{o.group}</span> for <strong>{formatDuration(full.end - full.start)}</strong>
                {full.ongoing ? ' (ongoing)' : ''} · from {fmt(full.start)}
                {full.ongoing ? '' : ` to ${fmt(full.end)}`}
                {full.unseen ? ` · as the console saw it: ${full.unseen.join(', ')} (MASTER when last heard) could not be heard and may have served` : ''}
              </li>
            );
          })}
          {failovers.map((f) => (
            <li key={`f-${f.group}-${f.t}`} className="failover-item">
              <span className="badge tone-warn">
                <span aria-hidden="true">⇄ </span>failover
              </span>{' '}
              <span className="mono">{f.group}</span>: {f.from.join(', ')} → {f.to.join(', ')} at {fmt(f.t)} · {f.gapMs > 0 ? `${formatDuration(f.gapMs)} without a master` : 'no gap'} · cause: {f.cause}
              {f.reason ? ` (${f.reason})` : ''}
            </li>
          ))}
        </ul>
      </section>

      <section className="panel timeline-panel" aria-labelledby="lanes-title">
        <h2 id="lanes-title">
          Lanes <span className="muted small">({lanes.length} host × group)</span>
        </h2>
        <p className="legend small">
          {(['MASTER', 'BACKUP', 'INIT', 'UNKNOWN'] as const).map((s) => {
            const l = stateLook(s);
            return (
              <span key={s} className={`legend-item tone-${l.tone}`}>
                {l.symbol} {l.label}
              </span>
            );
          })}
          <span className="legend-item">▲ operator action</span>
          <span className="legend-item">◆ demotion / maintenance</span>
          <span className="legend-item outage-swatch">✕ no master</span>
        </p>
        <div className="lane-axis" aria-hidden="true">
          <span className="lane-label" />
          <span className="lane-track">
            {axisTicks(from, to).map((t) => (
              <span key={t} className="tick" style={{ left: x(t) }}>
                {fmtTick(t, span)}
              </span>
            ))}
          </span>
        </div>
        {!lanes.length && <p className="empty">{page ? 'Nothing recorded in this range yet.' : 'Reading the history…'}</p>}
        <div className="lanes" tabIndex={0} role="region" aria-label="Lane list (scrolls)" style={{ maxHeight: VIEW_H }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
          <ul style={{ height: rows.length * ROW_H, position: 'relative' }} aria-label="Lanes">
            {rows.slice(win.first, win.last).map((row, i) => {
              const top = (win.first + i) * ROW_H;
              if (row.kind === 'group') {
                return (
                  <li key={`g-${row.group}`} className="lane group-row" style={{ top }} aria-label={`group ${row.name ? `${row.name} ` : ''}${row.group}`}>
                    <span className="lane-label" title={row.group}>
                      <strong>{row.name ?? 'group'}</strong> <span className="mono small">vhid {row.group.split('#')[1]}</span>
                    </span>
                    <span className="lane-track">
                      {outages
                        .filter((o) => o.group === row.group)
                        .map((o) => {
                          const full = fullOutage(o);
                          const text = `no master for ${formatDuration(full.end - full.start)}${full.ongoing ? ' (ongoing)' : ''}`;
                          return (
                            <span key={o.start} className="outage" style={{ left: x(o.start), width: w(o.start, o.end) }} title={`${text}: ${fmt(full.start)} – ${full.ongoing ? 'now' : fmt(full.end)}`} role="img" aria-label={text}>
                              {(o.end - o.start) / span >= 0.06 ? `✕ ${formatDuration(full.end - full.start)}` : ''}
                            </span>
                          );
                        })}
                      {failovers
                        .filter((f) => f.group === row.group)
                        .map((f) => (
                          <span key={f.t} className="failover-tick" style={{ left: x(f.t) }} title={`failover ${f.from.join(', ')} → ${f.to.join(', ')} at ${fmt(f.t)} (${f.cause})`}>
                            ⇄
                          </span>
                        ))}
                    </span>
                  </li>
                );
              }
              return <LaneRow key={row.lane.id} lane={row.lane} top={top} from={from} to={to} x={x} w={w} />;
            })}
          </ul>
        </div>
      </section>
    </main>
  );
}

function LaneRow({ lane, top, from, to, x, w }: { lane: Lane; top: number; from: number; to: number; x: (t: number) => string; w: (a: number, b: number) => string }) {
  const bars = clip(lane.bars, from, to);
  const marks = lane.marks.filter((m) => m.t >= from && m.t <= to);
  const full = (b: { start: number }) => lane.bars.find((x) => x.start <= b.start && x.end >= b.start) ?? b;
  return (
    <li className="lane" style={{ top }} aria-label={`${lane.host} in ${lane.name ?? lane.group}`}>
      <span className="lane-label">
        {lane.host} <span className="muted small">{lane.name ?? lane.group}</span>
      </span>
      <span className="lane-track">
        {bars.map((b) => {
          const l = stateLook(b.state);
          const f = full(b) as { start: number; end: number };
          const text = `${lane.host} ${l.label} from ${fmt(f.start)} to ${fmt(f.end)} (${formatDuration(f.end - f.start)})${b.reason ? `: ${b.reason}` : ''}`;
          return (
            <span key={b.start} className={`bar tone-${l.tone}`} style={{ left: x(b.start), width: w(b.start, b.end) }} title={text} role="img" aria-label={text}>
              {l.symbol} {l.label}
            </span>
          );
        })}
        {marks.map((m, i) => (
          <MarkIcon key={`${m.t}-${i}`} m={m} left={x(m.t)} />
        ))}
      </span>
    </li>
  );
}

function MarkIcon({ m, left }: { m: Mark; left: string }) {
  const text = `${fmt(m.t)}: ${m.text}`;
  return (
    <span className={`mark mark-${m.kind}`} style={{ left }} title={text} role="img" aria-label={text}>
      {m.kind === 'action' ? '▲' : '◆'}
    </span>
  );
}
