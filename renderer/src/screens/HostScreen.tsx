// Host view: one host's status and agent, its actions (enter/leave maintenance, reset demotion, check
// host key), its groups as members, "Demote before reboot" and its recent events.
import { useState } from 'react';
import type { CommandReply } from '../../../electron/core/api.js';
import { Badge } from '../components/Badge.js';
import { AllowBadge } from '../components/AllowBadge.js';
import { LinkDemotionBadge } from '../components/LinkDemotionBadge.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { FindingItem } from '../components/FindingItem.js';
import { runMaintenanceStep } from '../actions.js';
import { useAction, useApp, useAppState, useCanAct, useConsoleNow } from '../hooks.js';
import { stampOf } from '../logic/age.js';
import { findingsOfHost } from '../logic/findings.js';
import { dropsText, groupsOfHost, groupTitle, memberStateDisplay, wireNote } from '../logic/groups.js';
import { heardOf, hostDisplay, isCurrent } from '../logic/host-status.js';
import { formatInterval } from '../logic/interval.js';
import { hrefOf } from '../logic/route.js';
import { HostEvents } from './HostEvents.js';
import { HostKeyDialog } from './HostKeyDialog.js';
import { MaintenanceWizard } from './MaintenanceWizard.js';

function HostActions({ host }: { host: string }) {
  const { client, store } = useApp();
  const canAct = useCanAct();
  const view = useAppState((s) => s.console.fleet?.hosts.find((h) => h.host === host));
  const session = useAppState((s) => s.sessions[host]);
  const enter = session?.enter;
  const busy = session ? [session.enter, session.reboot, session.exit].some((c) => c.status === 'running') : false;
  const spec = useAppState((s) => s.inventory?.hosts.find((h) => h.name === host));
  const leave = useAction<CommandReply>();
  const reset = useAction<CommandReply>();
  const [keyOpen, setKeyOpen] = useState(false);
  const live = view?.status === 'live';
  const inM = view?.maintenance === true;
  return (
    <section className="host-actions" aria-label="Host actions">
      {!inM && (
        <button type="button" disabled={!canAct || !live || busy} onClick={() => void runMaintenanceStep(store, client, host, 'enter')}>
          {enter?.status === 'running' ? 'Entering maintenance…' : 'Enter maintenance'}
        </button>
      )}
      {inM && (
        <button type="button" disabled={!canAct || !live || busy || leave.pending} onClick={() => void leave.run(() => client.maintenanceExit(host))}>
          {leave.pending ? 'Leaving maintenance…' : 'Leave maintenance'}
        </button>
      )}
      {live && !inM && (view?.demote ?? 0) > 0 && (
        <button type="button" disabled={!canAct || busy || reset.pending} onClick={() => void reset.run(() => client.demote(host, 'set', 0))}>
          {reset.pending ? 'Resetting…' : 'Reset demotion'}
        </button>
      )}
      <button type="button" onClick={() => setKeyOpen(true)}>
        Check host key
      </button>
      {busy && <span className="small muted">A “Demote before reboot” step is running.</span>}
      {!busy && !live && view && <span className="small muted">{host} must be live for maintenance commands.</span>}
      {enter?.status === 'failed' && <span className="small tone-text-bad">Enter maintenance failed: see step 2 below.</span>}
      {enter?.status === 'done' && inM && <span className="small">In maintenance (see step 2 below).</span>}
      <ErrorNote error={leave.error} what="Leave maintenance" />
      <ErrorNote error={reset.error} what="Reset demotion" />
      {keyOpen && <HostKeyDialog host={host} address={spec?.address} onClose={() => setKeyOpen(false)} />}
    </section>
  );
}

export function HostScreen({ host }: { host: string }) {
  const fleet = useAppState((s) => s.console.fleet);
  const spec = useAppState((s) => s.inventory?.hosts.find((h) => h.name === host));
  const now = useConsoleNow();
  if (!fleet) {
    return (
      <main className="screen">
        <h1>{host}</h1>
        <p className="muted">Waiting for the fleet from the console…</p>
      </main>
    );
  }
  const view = fleet.hosts.find((h) => h.host === host);
  if (!view) {
    return (
      <main className="screen">
        <h1>{host}</h1>
        <p>
          {host} is not in the fleet (removed, or never added). <a href={hrefOf({ view: 'fleet' })}>Back to the fleet</a>
        </p>
      </main>
    );
  }
  const d = hostDisplay(view, now);
  const current = isCurrent(view);
  const lk = current ? '' : ' (last known)';
  const groups = groupsOfHost(fleet.groups, host);
  const findings = findingsOfHost(fleet.findings, host);

  return (
    <main className="screen" aria-labelledby="host-title">
      <div className="screen-head">
        <h1 id="host-title">{host}</h1>
        <Badge symbol={d.symbol} tone={d.tone}>
          {d.label}
        </Badge>
        {d.detail && <span className={`small tone-text-${d.tone}`}>{d.detail}</span>}
      </div>
      <AllowBadge h={view} />
      <LinkDemotionBadge h={view} />
      {view.maintenance && (
        <p className="maint-banner" role="status">
          <span aria-hidden="true">⚑ </span>
          <strong>
            {host} is in maintenance{lk}
          </strong>{' '}
          : its groups advertise as least preferred (demote 255 on the wire{view.demote ? `, demotion counter ${view.demote}` : ''}), so it masters nothing until it leaves maintenance.
        </p>
      )}
      <dl className="facts">
        <div>
          <dt>SSH</dt>
          <dd className="mono">{spec ? `${spec.user}@${spec.address}:${spec.port}` : '—'}</dd>
        </div>
        <div>
          <dt>Agent</dt>
          <dd className="mono">{view.kernel ? `none: kernel CARP (${view.kernel.label}), read and driven over SSH` : view.agentVersion ? `${view.agentVersion}${lk}` : '—'}</dd>
        </div>
        <div>
          <dt>Agent started</dt>
          <dd>{view.agentStartedAt ? stampOf(view.agentStartedAt, now) : '—'}</dd>
        </div>
        <div>
          <dt>Demotion</dt>
          <dd className={current && (view.demote ?? 0) > 0 ? 'tone-text-warn' : undefined}>{view.demote === undefined ? '—' : `${view.demote}${lk}`}</dd>
        </div>
        <div>
          <dt>Maintenance</dt>
          <dd>{view.maintenance === undefined ? '—' : `${view.maintenance ? 'yes' : 'no'}${lk}`}</dd>
        </div>
        <div>
          <dt>Last heard</dt>
          <dd>{heardOf(view, now)}</dd>
        </div>
      </dl>

      <HostActions host={host} />

      {findings.length > 0 && (
        <section className="panel" aria-labelledby="host-findings-title">
          <h2 id="host-findings-title">Findings</h2>
          <ul className="findings">
            {findings.map((f, i) => (
              <FindingItem key={`${f.kind}-${i}`} f={f} showFix={false} />
            ))}
          </ul>
        </section>
      )}

      <MaintenanceWizard host={host} />

      <section className="panel" aria-labelledby="host-groups-title">
        <h2 id="host-groups-title">Groups on {host}</h2>
        {!groups.length ? (
          <p className="muted small">{host} runs no CARP group{current ? '' : ' (as last known)'}.</p>
        ) : (
          <table className="data">
            <caption className="visually-hidden">Groups on {host}</caption>
            <thead>
              <tr>
                <th scope="col">Group</th>
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
                <th scope="col">Preempt</th>
                <th scope="col" className="num">
                  Sent
                </th>
                <th scope="col" className="num">
                  Received
                </th>
                <th scope="col">Drops</th>
                <th scope="col">Interface</th>
                <th scope="col">Notes</th>
              </tr>
            </thead>
            <tbody>
              {groups.map(({ group: g, member: m }) => {
                const st = memberStateDisplay(m, now);
                const wire = m.live ? wireNote(m) : undefined;
                return (
                  <tr key={`${g.key}-${m.interface}`}>
                    <th scope="row">
                      <a href={hrefOf({ view: 'groups' })}>{groupTitle(g)}</a>
                      <div className="small muted mono">{g.segment}</div>
                    </th>
                    <td>
                      <Badge symbol={st.symbol} tone={st.tone} className="state">
                        {st.label}
                      </Badge>
                      {st.detail && <div className="small muted">{st.detail}</div>}
                    </td>
                    <td className="num">{m.advbase}</td>
                    <td className="num">{m.advskew}</td>
                    <td className="num">{m.demote}</td>
                    <td className="num">{m.live ? formatInterval(m.effectiveIntervalMs) : '—'}</td>
                    <td>{m.preempt ? 'yes' : 'no'}</td>
                    <td className="num">{m.sent}</td>
                    <td className="num">{m.received}</td>
                    <td className="small">{dropsText(m.drops)}</td>
                    <td className="mono small">
                      {m.interface} {m.srcip}
                    </td>
                    <td className="small">
                      {g.successors.includes(host) && <span className="tag tag-successor">{g.successors.length > 1 ? 'successor (tied)' : 'successor'}</span>}
                      {wire && <span className="muted">{wire}</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <p className="small muted">Counters are adverts since the agent started{current ? '' : '; the host is not live, so every value here is the last known one'}.</p>
      </section>

      <HostEvents host={host} />
    </main>
  );
}
