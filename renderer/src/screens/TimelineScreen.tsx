// The timeline: one lane per host × group with state bars over time, operator actions and demotion
// marked on the lanes, each outage with its duration, the spans the console was not running hatched, zoom,
// pan, filters and CSV export (logic/timeline.ts). The data is read and built in slices (TimelineFeed.tsx).
import { useMemo, useState, type ReactNode } from 'react';
import { ErrorNote } from '../components/ErrorNote.js';
import { useApp } from '../hooks.js';
import { SPANS, axisTicks, clip, filterLanes, formatDuration, rowsOf, stateLook, timelineCsv, visibleRange, type Failover, type Gap, type Lane, type Mark, type Outage } from '../logic/timeline.js';
import { useTimelineFeed, useTimelineNow } from './TimelineFeed.js';
import './timeline.css';

const ROW_H = 30;
const VIEW_H = 520;
// one formatter each, made once (toLocaleString makes one per call: hundreds per render)
const FULL = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hour12: false });
const DAY_TICK = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
const TIME = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: 'numeric', second: 'numeric', hour12: false });
const formatted = new Map<number, string>(); // by second: the same few hundred times are formatted every second
const fmt = (t: number) => {
  const k = Math.floor(t / 1000);
  let text = formatted.get(k);
  if (text === undefined) {
    if (formatted.size > 20_000) formatted.clear();
    text = FULL.format(k * 1000);
    formatted.set(k, text);
  }
  return text;
};
const fmtTick = (t: number, span: number) => (span > 24 * 3600_000 ? DAY_TICK.format(t) : TIME.format(t));

/** The most outages and failovers listed above the lanes (the newest); the CSV has them all. */
const LIST_MAX = 100;

export function TimelineScreen() {
  const { client, store } = useApp();
  const now = useTimelineNow(store);
  const [spanIdx, setSpanIdx] = useState(2); // 15 min
  /** The right edge of the window; null: follows now (live). */
  const [end, setEnd] = useState<number | null>(null);
  const [host, setHost] = useState('');
  const [group, setGroup] = useState('');
  const [scrollTop, setScrollTop] = useState(0);
  const span = SPANS[spanIdx].ms;
  const to = end ?? now;
  const from = to - span;
  // read page by page and built in slices; while it follows now, new records are appended (TimelineFeed.tsx)
  const feed = useTimelineFeed(client, span, end);
  const { builder, version } = feed;
  const tl = useMemo(() => {
    void version; // the builder grew
    return builder.snapshot(to);
  }, [builder, version, to]);
  // the lane list changes identity only when a lane is added: the filters' options are not rebuilt every second
  const hosts = useMemo(() => [...new Set(tl.lanes.map((l) => l.host))].sort(), [tl.lanes]);
  const groups = useMemo(() => [...new Map(tl.lanes.map((l) => [l.group, l.name])).entries()].sort((a, b) => a[0].localeCompare(b[0])), [tl.lanes]);
  const lanes = useMemo(() => filterLanes(tl.lanes, host ? [host] : [], group ? [group] : []), [tl.lanes, host, group]);
  const rows = useMemo(() => rowsOf(lanes), [lanes]);
  const win = visibleRange(rows.length, ROW_H, scrollTop, VIEW_H);
  const x = (t: number) => `${(((Math.min(Math.max(t, from), to) - from) / span) * 100).toFixed(3)}%`;
  const w = (a: number, b: number) => `${((Math.max(0, Math.min(b, to) - Math.max(a, from)) / span) * 100).toFixed(3)}%`;
  // what is in view, each clipped item mapped to its whole (for durations), and per group for the group rows
  const view = useMemo(() => {
    const shownGroups = new Set(lanes.map((l) => l.group));
    const whole = new Map<object, Outage | Gap>();
    const clipOne = <T extends { start: number; end: number }>(o: T): T => {
      const c = { ...o, start: Math.max(o.start, from), end: Math.min(o.end, to) };
      whole.set(c, o);
      return c;
    };
    const outages = tl.outages.filter((o) => o.end > from && o.start < to && shownGroups.has(o.group)).map(clipOne);
    const failovers = tl.failovers.filter((f) => f.t >= from && f.t <= to && shownGroups.has(f.group));
    const gaps = tl.gaps.filter((g) => g.end > from && g.start < to).map(clipOne);
    const byGroup = new Map<string, { outages: Outage[]; failovers: Failover[] }>();
    const of = (g: string) => byGroup.get(g) ?? byGroup.set(g, { outages: [], failovers: [] }).get(g)!;
    for (const o of outages) of(o.group).outages.push(o);
    for (const f of failovers) of(f.group).failovers.push(f);
    return { outages, failovers, gaps, whole, byGroup };
  }, [tl, lanes, from, to]);
  const { outages, failovers, gaps } = view;
  const fullOutage = (o: Outage): Outage => (view.whole.get(o) as Outage | undefined) ?? o;
  const fullGap = (g: Gap): Gap => view.whole.get(g) ?? g;
  const listed = { outages: outages.slice(-LIST_MAX), failovers: failovers.slice(-LIST_MAX) };
  const error = feed.error;

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
          {feed.oldest ? ` · history kept since ${fmt(feed.oldest)}` : ''}
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
      {feed.cappedAt !== null && <p className="banner banner-warn">More happened in this range than the timeline holds: shown up to {fmt(feed.cappedAt)}. Zoom in.</p>}

      <section className="panel" aria-labelledby="outages-title">
        <h2 id="outages-title">
          Outages and failovers in view ({outages.length} outage{outages.length === 1 ? '' : 's'}, {failovers.length} failover{failovers.length === 1 ? '' : 's'})
        </h2>
        {!outages.length && !failovers.length && <p className="muted">No group lost or changed its master in this range.</p>}
        {outages.length + failovers.length > listed.outages.length + listed.failovers.length && (
          <p className="muted small">
            The newest {LIST_MAX} of each are listed; all {outages.length + failovers.length} are on the lanes and in the CSV.
          </p>
        )}
        <ul className="timeline-events">
          {gaps.map((g) => {
            const full = fullGap(g);
            return (
              <li key={`g-${g.start}`} className="gap-item">
                <span className="badge gap-badge">console not running</span> no data for <strong>{formatDuration(full.end - full.start)}</strong> · from {fmt(full.start)} to {fmt(full.end)}
              </li>
            );
          })}
          {listed.outages.map((o) => {
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
          {listed.failovers.map((f) => (
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

      <section className="panel timeline-panel" aria-labelledby="lanes-title" aria-busy={feed.loading}>
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
          <span className="legend-item gap-swatch">console not running: no data</span>
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
        {!lanes.length && <p className="empty">{feed.loading ? 'Reading the history…' : 'Nothing recorded in this range yet.'}</p>}
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
                      <GapBands gaps={gaps} full={fullGap} x={x} w={w} span={span} label />
                      {(view.byGroup.get(row.group)?.outages ?? []).map((o) => {
                          const full = fullOutage(o);
                          const text = `no master for ${formatDuration(full.end - full.start)}${full.ongoing ? ' (ongoing)' : ''}`;
                          return (
                            <span key={o.start} className="outage" style={{ left: x(o.start), width: w(o.start, o.end) }} title={`${text}: ${fmt(full.start)} – ${full.ongoing ? 'now' : fmt(full.end)}`} role="img" aria-label={text}>
                              {(o.end - o.start) / span >= 0.06 ? `✕ ${formatDuration(full.end - full.start)}` : ''}
                            </span>
                          );
                        })}
                      {(view.byGroup.get(row.group)?.failovers ?? []).map((f) => (
                          <span key={f.t} className="failover-tick" style={{ left: x(f.t) }} title={`failover ${f.from.join(', ')} → ${f.to.join(', ')} at ${fmt(f.t)} (${f.cause})`}>
                            ⇄
                          </span>
                        ))}
                    </span>
                  </li>
                );
              }
              return <LaneRow key={row.lane.id} lane={row.lane} top={top} from={from} to={to} x={x} w={w} gaps={<GapBands gaps={gaps} full={fullGap} x={x} w={w} span={span} />} />;
            })}
          </ul>
        </div>
      </section>
    </main>
  );
}

/** The spans the console was not running, hatched across a row's track ("console not running: no data"). */
function GapBands({ gaps, full, x, w, span, label }: { gaps: Gap[]; full: (g: Gap) => Gap; x: (t: number) => string; w: (a: number, b: number) => string; span: number; label?: boolean }) {
  return gaps.map((g) => {
    const f = full(g);
    const text = `console not running: no data for ${formatDuration(f.end - f.start)} (${fmt(f.start)} – ${fmt(f.end)})`;
    return (
      <span key={g.start} className="console-gap" style={{ left: x(g.start), width: w(g.start, g.end) }} title={text} {...(label ? { role: 'img', 'aria-label': text } : { 'aria-hidden': true })}>
        {label && (g.end - g.start) / span >= 0.2 ? 'console not running: no data' : ''}
      </span>
    );
  });
}

function LaneRow({ lane, top, from, to, x, w, gaps }: { lane: Lane; top: number; from: number; to: number; x: (t: number) => string; w: (a: number, b: number) => string; gaps: ReactNode }) {
  const bars = clip(lane.bars, from, to);
  const marks = lane.marks.filter((m) => m.t >= from && m.t <= to);
  const full = (b: { start: number }) => lane.bars.find((x) => x.start <= b.start && x.end >= b.start) ?? b;
  return (
    <li className="lane" style={{ top }} aria-label={`${lane.host} in ${lane.name ?? lane.group}`}>
      <span className="lane-label">
        {lane.host} <span className="muted small">{lane.name ?? lane.group}</span>
      </span>
      <span className="lane-track">
        {gaps}
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
