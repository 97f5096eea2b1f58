// One CARP group as a card: "vhid N · name", segment, VIPs, health, its members (state as word +
// shape + colour; UNKNOWN with the age when the host is not live), the predicted successor, findings.
import { memo } from 'react';
import type { Finding, FleetGroup } from '../../../electron/core/fleet/types.js';
import { Badge } from '../components/Badge.js';
import { FindingItem } from '../components/FindingItem.js';
import { HostLink } from '../components/HostLink.js';
import { useConsoleNow } from '../hooks.js';
import { findingsOfGroup } from '../logic/findings.js';
import { groupHealth, groupLabel, groupTitle, memberStateDisplay, sortMembers, successorText, wireNote } from '../logic/groups.js';
import { formatInterval } from '../logic/interval.js';
import { GroupHistoryMeta } from './GroupHistoryMeta.js';

/** Memoised: a fleet update keeps unchanged groups as the same objects (fleet/delta.ts), so only changed cards redraw. */
export const GroupCard = memo(function GroupCard({ group: g, findings, onEdit }: { group: FleetGroup; findings: Finding[]; onEdit?: (g: FleetGroup) => void }) {
  const now = useConsoleNow();
  const health = groupHealth(g, findings);
  const mine = findingsOfGroup(findings, g.key);
  const healthy = health.kind === 'redundant' && !mine.some((f) => f.severity === 'error');
  const titleId = `group-${g.key.replace(/[^A-Za-z0-9]/g, '-')}`;
  return (
    <article className={`card ${healthy ? 'card-healthy' : `card-degraded card-${health.tone}`}`} aria-label={groupLabel(g)}>
      <header className="card-head">
        <h2 id={titleId}>{groupTitle(g)}</h2>
        <Badge symbol={health.symbol} tone={health.tone}>
          {health.label}
        </Badge>
        {onEdit && (
          <button type="button" className="small-button card-edit" aria-label={`Edit ${groupLabel(g)}`} onClick={() => onEdit(g)}>
            Edit
          </button>
        )}
      </header>
      <dl className="card-meta">
        <div>
          <dt>Segment</dt>
          <dd className="mono">{g.segment}</dd>
        </div>
        <div>
          <dt>{g.addresses.length === 1 ? 'Virtual address' : 'Virtual addresses'}</dt>
          <dd className="mono">{g.addresses.join(' ') || '—'}</dd>
        </div>
        <div>
          <dt>{g.master ? 'Successor' : 'Expected master'}</dt>
          <dd>
            {g.successor ? (
              <HostLink host={g.successor} />
            ) : g.successors.length ? (
              <span className="tone-text-warn">{successorText(g)}</span>
            ) : (
              <span className="tone-text-warn">none</span>
            )}
          </dd>
        </div>
        <GroupHistoryMeta group={g} now={now} />
      </dl>
      <table className="data members">
        <colgroup>
          <col className="c-host" />
          <col className="c-state" />
          <col className="c-num" />
          <col className="c-num" />
          <col className="c-num" />
          <col className="c-int" />
          <col className="c-notes" />
        </colgroup>
        <caption className="visually-hidden">Members of {groupLabel(g)}</caption>
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col">State</th>
            <th scope="col" className="num">
              advbase
            </th>
            <th scope="col" className="num">
              advskew
            </th>
            <th scope="col" className="num">
              demote
            </th>
            <th scope="col" className="num">
              Interval
            </th>
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>
          {sortMembers(g.members).map((m) => {
            const st = memberStateDisplay(m, now);
            const wire = m.live ? wireNote(m) : undefined;
            const stale = !m.live;
            return (
              <tr key={`${m.host}-${m.interface}`} className={stale ? 'member-unknown' : undefined}>
                <th scope="row">
                  <HostLink host={m.host} />
                  <div className="small muted mono">{m.interface}</div>
                  <div className="small muted mono">{m.srcip}</div>
                </th>
                <td>
                  <Badge symbol={st.symbol} tone={st.tone} className="state">
                    {st.label}
                  </Badge>
                  {st.detail && <div className="small muted">{st.detail}</div>}
                </td>
                <td className="num">{m.advbase}</td>
                <td className="num">{m.advskew}</td>
                <td className={m.demote > 0 && !stale ? 'num tone-text-warn' : 'num'}>{m.demote}</td>
                <td className="num">{stale ? '—' : formatInterval(m.effectiveIntervalMs)}</td>
                <td className="small notes">
                  {g.successors.includes(m.host) && (
                    <span className={g.master && g.successors.length === 1 ? 'tag tag-successor nowrap' : 'tag tag-successor'}>
                      <span aria-hidden="true">→ </span>
                      {g.master ? 'successor' : 'expected master'}
                      {g.successors.length > 1 && ' (tied)'}
                    </span>
                  )}
                  {m.maintenance && (
                    <span className="tag tag-maint">
                      <span aria-hidden="true">⚑ </span>maintenance{stale ? ' (last known)' : ''}
                    </span>
                  )}
                  {!m.preempt && <span className="tag">no preempt</span>}
                  {/* the console shows only whether passwords agree, never a value derived from one */}
                  {m.password === 'differs' && <span className="tag tone-text-bad">password differs</span>}
                  {wire && <span className="muted">{wire}</span>}
                  {stale && <span className="muted">values last known</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {mine.length > 0 && (
        <ul className="findings" aria-label={`Findings of ${groupLabel(g)}`}>
          {mine.map((f, i) => (
            <FindingItem key={`${f.kind}-${i}`} f={f} />
          ))}
        </ul>
      )}
    </article>
  );
});
