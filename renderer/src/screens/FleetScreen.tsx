// Fleet screen: every host with its live status (UNKNOWN when stale, with its age), agent version,
// demotion, maintenance, groups; add / remove hosts, check host keys, deploy the agent. Long fleets are
// windowed (the first rows, more as the table scrolls).
import { useState, type ReactNode } from 'react';
import type { HostView } from '../../../electron/core/fleet/types.js';
import type { HostSpec } from '../../../electron/core/transport.js';
import { Badge } from '../components/Badge.js';
import { WindowedList } from '../components/WindowedList.js';
import { AllowBadge } from '../components/AllowBadge.js';
import { LinkDemotionBadge } from '../components/LinkDemotionBadge.js';
import { HostLink } from '../components/HostLink.js';
import { useAppState, useCanAct, useConsoleNow } from '../hooks.js';
import { heardOf, hostDisplay, isCurrent } from '../logic/host-status.js';
import { AddHostsDialog } from './AddHostsDialog.js';
import { DeployDialog } from './DeployDialog.js';
import { DeployPanel } from './DeployPanel.js';
import { HostKeyDialog } from './HostKeyDialog.js';
import { RemoveHostDialog } from './RemoveHostDialog.js';

/** Columns of the hosts table (the "Show more" row spans them all). */
const FLEET_COLUMNS = 11;

type Open = null | { kind: 'add' } | { kind: 'deploy'; hosts: string[] } | { kind: 'key'; host: string } | { kind: 'remove'; host: string };

function sshTarget(spec: HostSpec | undefined): string {
  if (!spec) return '—';
  return `${spec.user}@${spec.address}${spec.port !== 22 ? `:${spec.port}` : ''}${spec.jump ? ` via ${spec.jump}` : ''}`;
}

function LastKnown({ h, children }: { h: HostView; children: ReactNode }) {
  if (isCurrent(h)) return <>{children}</>;
  return (
    <span className="last-known">
      {children} <span className="small">(last known)</span>
    </span>
  );
}

export function FleetScreen() {
  const fleet = useAppState((s) => s.console.fleet);
  const inventory = useAppState((s) => s.inventory);
  const deploy = useAppState((s) => s.deploy);
  const now = useConsoleNow();
  const canAct = useCanAct();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [open, setOpen] = useState<Open>(null);

  const hosts = [...(fleet?.hosts ?? [])].sort((a, b) => a.host.localeCompare(b.host, undefined, { numeric: true }));
  const specs = new Map((inventory?.hosts ?? []).map((h) => [h.name, h]));
  const chosen = hosts.map((h) => h.host).filter((n) => selected.has(n));
  const toggle = (name: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(name)) n.delete(name);
      else n.add(name);
      return n;
    });
  const allChosen = hosts.length > 0 && chosen.length === hosts.length;

  return (
    <main className="screen" aria-labelledby="fleet-title">
      <div className="screen-head">
        <h1 id="fleet-title">Fleet</h1>
        <p className="muted">
          {fleet ? `${hosts.length} ${hosts.length === 1 ? 'host' : 'hosts'} · ${hosts.filter((h) => h.status === 'live').length} live` : ''}
          {fleet && inventory?.path ? ` · inventory ${inventory.path}` : ''}
        </p>
        <div className="toolbar">
          <button type="button" onClick={() => setOpen({ kind: 'add' })} disabled={!canAct}>
            Add hosts
          </button>
          <button type="button" className="primary" onClick={() => setOpen({ kind: 'deploy', hosts: chosen })} disabled={!canAct || !hosts.length || deploy?.status === 'running'}>
            Deploy / upgrade agent {chosen.length ? `(${chosen.length} selected)` : '(all hosts)'}
          </button>
        </div>
      </div>

      {deploy && <DeployPanel />}

      {!fleet ? (
        <p className="muted">Waiting for the fleet from the console…</p>
      ) : !hosts.length ? (
        <p className="empty">No hosts yet. Use “Add hosts” to import an ssh_config, an Ansible inventory or the lab's JSON, or add one by hand.</p>
      ) : (
        <table className="data hosts-table">
          <caption className="visually-hidden">Hosts</caption>
          <thead>
            <tr>
              <th scope="col" className="col-check">
                <input
                  type="checkbox"
                  aria-label="Select all hosts"
                  checked={allChosen}
                  onChange={() => setSelected(allChosen ? new Set() : new Set(hosts.map((h) => h.host)))}
                />
              </th>
              <th scope="col">Host</th>
              <th scope="col">SSH</th>
              <th scope="col">Status</th>
              <th scope="col">OS</th>
              <th scope="col">Agent</th>
              <th scope="col">Demotion</th>
              <th scope="col">Maintenance</th>
              <th scope="col" className="num">
                Groups
              </th>
              <th scope="col">Last heard</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {/* 200 hosts: only the first rows and more as the table scrolls (WindowedList, as the Groups board) */}
            <WindowedList
              items={hosts}
              noun="hosts"
              colSpan={FLEET_COLUMNS}
              render={(h) => {
                const d = hostDisplay(h, now);
                const keyProblem = h.hostKey;
                return (
                  <tr key={h.host} className={`host-row status-${h.status}`}>
                    <td className="col-check">
                      <input type="checkbox" aria-label={`Select ${h.host}`} checked={selected.has(h.host)} onChange={() => toggle(h.host)} />
                    </td>
                    <th scope="row">
                      <HostLink host={h.host} />
                    </th>
                    <td className="mono small">{sshTarget(specs.get(h.host))}</td>
                    <td className="status-cell">
                      <Badge symbol={d.symbol} tone={d.tone}>
                        {d.label}
                      </Badge>
                      <AllowBadge h={h} />
                      {keyProblem ? (
                        <>
                          <div className="small detail tone-text-bad">
                            {keyProblem === 'unknown'
                              ? 'Unknown SSH host key: the console does not trust it yet. Use “Check host key”.'
                              : 'SSH host key CHANGED: the console refuses it (possible man-in-the-middle). See the full error.'}
                          </div>
                          <details className="small">
                            <summary>Full error</summary>
                            {h.error}
                          </details>
                        </>
                      ) : (
                        <>
                          {d.detail && <div className={`small detail tone-text-${d.tone}`}>{d.detail}</div>}
                          {h.error && h.status !== 'live' && h.status !== 'stale' && h.error !== d.detail && (
                            <details className="small">
                              <summary>Full error</summary>
                              {h.error}
                            </details>
                          )}
                        </>
                      )}
                    </td>
                    <td className="small os-cell">{h.os ? <LastKnown h={h}>{h.os}</LastKnown> : '—'}</td>
                    <td className="mono small">{h.kernel ? <span title="CARP runs in this host's BSD kernel: read and driven over SSH with its own tools, no agent">kernel CARP</span> : h.agentVersion ? <LastKnown h={h}>{h.agentVersion}</LastKnown> : '—'}</td>
                    <td>
                      {h.demote === undefined ? (
                        '—'
                      ) : !isCurrent(h) ? (
                        <LastKnown h={h}>{h.demote}</LastKnown>
                      ) : h.demote > 0 ? (
                        <Badge symbol="⚠" tone="warn">
                          {h.demote}
                        </Badge>
                      ) : (
                        '0'
                      )}
                      {isCurrent(h) && <LinkDemotionBadge h={h} />}
                    </td>
                    <td>
                      {h.maintenance === undefined ? (
                        '—'
                      ) : !isCurrent(h) ? (
                        <LastKnown h={h}>{h.maintenance ? 'in maintenance' : 'no'}</LastKnown>
                      ) : h.maintenance ? (
                        <Badge symbol="⚑" tone="warn">
                          in maintenance
                        </Badge>
                      ) : (
                        'no'
                      )}
                    </td>
                    <td className="num">{h.groups}</td>
                    <td className="small">{heardOf(h, now)}</td>
                    <td className="actions">
                      <button
                        type="button"
                        className={keyProblem ? 'small-button primary' : 'small-button'}
                        aria-label={`Check host key of ${h.host}`}
                        onClick={() => setOpen({ kind: 'key', host: h.host })}
                      >
                        Check host key
                      </button>
                      <button type="button" className="small-button danger" aria-label={`Remove ${h.host}`} disabled={!canAct} onClick={() => setOpen({ kind: 'remove', host: h.host })}>
                        Remove
                      </button>
                    </td>
                  </tr>
                );
              }}
            />
          </tbody>
        </table>
      )}

      {open?.kind === 'add' && <AddHostsDialog onClose={() => setOpen(null)} />}
      {open?.kind === 'deploy' && <DeployDialog hosts={open.hosts} allHosts={hosts.map((h) => h.host)} onClose={() => setOpen(null)} />}
      {open?.kind === 'key' && <HostKeyDialog host={open.host} address={specs.get(open.host)?.address} onClose={() => setOpen(null)} />}
      {open?.kind === 'remove' && (
        <RemoveHostDialog
          host={open.host}
          onClose={() => setOpen(null)}
          onRemoved={() =>
            setSelected((s) => {
              const n = new Set(s);
              n.delete(open.host);
              return n;
            })
          }
        />
      )}
    </main>
  );
}
