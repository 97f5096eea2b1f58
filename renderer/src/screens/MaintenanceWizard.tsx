// "Demote before reboot" as four visible steps: (1) preflight in words, (2) enter maintenance and
// watch each handover reported by the successor's own agent, (3) reboot and wait for the host and its
// agent, (4) return to service and check the fleet shows it back. Each failure says where and whether
// the host is still in maintenance.
import { useId, type ReactNode } from 'react';
import type { MaintenanceResult } from '../../../electron/core/api.js';
import { Badge } from '../components/Badge.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { runMaintenanceStep } from '../actions.js';
import { useApp, useAppState, useCanAct, useConsoleNow } from '../hooks.js';
import { clockTime } from '../logic/age.js';
import { collapseRuns, hostStatusDisplay } from '../logic/host-status.js';
import { handoversOf, rebootLogOf } from '../logic/progress.js';
import { handedOver, newSession, preflightLines, returnChecks, wizardView, type Call, type StepStatus, type StepView } from '../logic/wizard.js';

const STATUS: Record<StepStatus, { symbol: string; tone: string; label: string }> = {
  done: { symbol: '✓', tone: 'ok', label: 'done' },
  ready: { symbol: '▶', tone: 'info', label: 'ready' },
  running: { symbol: '↻', tone: 'info', label: 'running' },
  waiting: { symbol: '…', tone: 'unknown', label: 'waiting' },
  blocked: { symbol: '⊘', tone: 'warn', label: 'blocked' },
  failed: { symbol: '✕', tone: 'bad', label: 'failed' },
  forced: { symbol: '⚠', tone: 'warn', label: 'forced' },
};

function Step({ n, title, view, children }: { n: number; title: string; view: StepView; children: ReactNode }) {
  const id = useId();
  const s = STATUS[view.status];
  return (
    <li className={`step step-${view.status}`} aria-labelledby={id}>
      <div className="step-head">
        <h3 id={id}>
          <span className="step-n">{n}</span> {title}
        </h3>
        <Badge symbol={s.symbol} tone={s.tone}>
          {s.label}
        </Badge>
      </div>
      {view.note && <p className="small muted step-note">{view.note}</p>}
      {children}
    </li>
  );
}

function MaintenanceOutcome({ call, okText }: { call: Call<MaintenanceResult>; okText: string }) {
  if (call.status === 'done') {
    return (
      <p className="result-ok" role="status">
        <span aria-hidden="true">✓ </span>
        {okText}
      </p>
    );
  }
  if (call.status !== 'failed') return null;
  if (!call.result) return <ErrorNote error={call.error} what="The console refused" />;
  const r = call.result;
  return (
    <div className="danger-box" role="alert">
      <p>
        <strong>
          <span aria-hidden="true">✕ </span>Stopped at {r.stoppedAt ?? r.step}.
        </strong>{' '}
        {r.reason}
      </p>
      <p className={r.inMaintenance ? 'in-maint-warning' : ''}>
        <strong>{r.inMaintenance ? `${r.host} IS STILL IN MAINTENANCE.` : `${r.host} is not in maintenance.`}</strong>
      </p>
    </div>
  );
}

export function MaintenanceWizard({ host }: { host: string }) {
  const { client, store } = useApp();
  const canAct = useCanAct();
  const now = useConsoleNow();
  const fleet = useAppState((s) => s.console.fleet);
  const session = useAppState((s) => s.sessions[host]) ?? newSession(host);
  const ops = useAppState((s) => s.console.ops);
  const events = useAppState((s) => s.console.events);
  if (!fleet) return null;

  const w = wizardView(fleet, session, !canAct);
  const view = fleet.hosts.find((h) => h.host === host);
  const hostNow = view ? hostStatusDisplay(view.status, view.lastSeen ?? 0, now, view.error) : null;
  const run = (step: 'enter' | 'reboot' | 'exit') => void runMaintenanceStep(store, client, host, step);

  const enterOp = session.enter.status !== 'idle' ? session.enter.op : undefined;
  const rebootOp = session.reboot.status !== 'idle' ? session.reboot.op : undefined;
  const handovers = handoversOf(enterOp ? ops[enterOp] : undefined);
  const rebootLog = rebootOp ? rebootLogOf(ops[rebootOp]) : [];
  const rebootStart = session.reboot.status !== 'idle' ? session.reboot.startedAt - store.getState().console.offsetMs : 0;
  const hostTransitions = session.reboot.status === 'idle' ? [] : events.filter((e) => e.type === 'host' && e.host === host && e.at >= rebootStart - 1000);
  const checks = session.exit.status !== 'idle' ? returnChecks(fleet, host, handedOver(session)) : [];
  const blockedGroups = w.preflight.blocked.map((g) => `${g.segment} vhid ${g.vhid}`).join(', ');
  const blockedVips = fleet.groups.filter((g) => w.preflight.blocked.some((b) => b.key === g.key)).flatMap((g) => g.addresses);
  const anything = session.enter.status !== 'idle' || session.reboot.status !== 'idle' || session.exit.status !== 'idle';

  return (
    <section className="panel wizard" aria-labelledby="wizard-title">
      <div className="panel-head">
        <h2 id="wizard-title">Demote before reboot</h2>
        {anything && !w.busy && (
          <button type="button" className="small-button" onClick={() => store.updateSession(host, () => newSession(host))}>
            Start over
          </button>
        )}
      </div>
      <p className="muted small">
        Hand every group {host} masters to its successor, prove the successor took over (its own agent reports MASTER), reboot {host}, bring it back.
      </p>
      {w.stopped && (
        <div className="danger-box" role="alert">
          <strong>
            <span aria-hidden="true">✕ </span>
            {w.stopped.step === 'enter' ? 'Entering maintenance' : 'The reboot'} stopped{w.stopped.stoppedAt ? ` at ${w.stopped.stoppedAt}` : ''}:
          </strong>{' '}
          {w.stopped.reason}{' '}
          <strong className={w.stopped.inMaintenance ? 'in-maint-warning' : ''}>
            {w.stopped.inMaintenance ? `${host} IS STILL IN MAINTENANCE.` : view?.maintenance ? `${host} is in maintenance.` : `${host} is not in maintenance.`}
          </strong>
        </div>
      )}
      <ol className="steps">
        <Step n={1} title="Preflight" view={w.preflightStep}>
          <ul className="plain">
            {preflightLines(w.preflight).map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
          {w.needsForce && session.enter.status !== 'done' && (
            <div className="force">
              <label>
                <input
                  type="checkbox"
                  checked={session.force}
                  disabled={!canAct || w.busy}
                  onChange={(e) => store.updateSession(host, (s) => ({ ...s, force: e.target.checked }))}
                />{' '}
                Force: enter maintenance even though {blockedGroups} would have no master
              </label>
              <p className="small tone-text-warn">
                With Force, {blockedVips.length ? blockedVips.join(' ') : 'its virtual addresses'} may become unreachable until {host} returns: nobody else can take over.
              </p>
            </div>
          )}
        </Step>

        <Step n={2} title="Enter maintenance" view={w.enterStep}>
          <p className="small">Switches {host}'s agent to maintenance (no reboot) and waits until every group it mastered reports a new master from that master's own agent.</p>
          <button type="button" className="primary" disabled={!w.enterStep.enabled} onClick={() => run('enter')}>
            {session.enter.status === 'running' ? 'Entering maintenance…' : 'Enter maintenance'}
          </button>
          {handovers.length > 0 && (
            <ul className="plain handovers" aria-label="Handovers">
              {handovers.map((h) => (
                <li key={h.group}>
                  <span aria-hidden="true">✓ </span>
                  {h.text} <span className="muted small">({clockTime(h.at)})</span>
                </li>
              ))}
            </ul>
          )}
          {session.enter.status === 'running' && enterOp && ops[enterOp]?.log.length ? (
            <p className="small muted" role="status">
              {ops[enterOp].log[ops[enterOp].log.length - 1].detail}
            </p>
          ) : null}
          <MaintenanceOutcome
            call={session.enter}
            okText={`${host} is in maintenance${session.enter.status === 'done' && session.enter.result.handovers.length ? `; ${session.enter.result.handovers.map((h) => `${h.group} → ${h.to}`).join(', ')}` : '; it mastered no group'}.`}
          />
        </Step>

        <Step n={3} title="Reboot" view={w.rebootStep}>
          <p className="small">Reboots {host} over SSH, waits for it to go down and answer SSH again, then for its agent. It comes back in maintenance.</p>
          <button type="button" className="primary" disabled={!w.rebootStep.enabled} onClick={() => run('reboot')}>
            {session.reboot.status === 'running' ? 'Rebooting…' : 'Reboot now'}
          </button>
          {rebootLog.length > 0 && (
            <ol className="log small" aria-label="Reboot progress">
              {rebootLog.map((l, i) => (
                <li key={i}>
                  <span className="muted">{clockTime(l.at)}</span> {l.step === 'reboot' ? 'rebooting' : l.step}
                  {l.detail ? ` — ${l.detail}` : ''}
                </li>
              ))}
            </ol>
          )}
          {session.reboot.status !== 'idle' && hostNow && (
            <p className="small" aria-live="polite">
              {host} now:{' '}
              <Badge symbol={hostNow.symbol} tone={hostNow.tone}>
                {hostNow.label}
              </Badge>{' '}
              {hostNow.detail}
              {hostTransitions.length > 0 && <span className="muted"> · seen: {collapseRuns(hostTransitions.map((e) => (e.type === 'host' ? (e.status === 'stale' ? 'UNKNOWN' : e.status) : ''))).join(' → ')}</span>}
            </p>
          )}
          <MaintenanceOutcome call={session.reboot} okText={`${host} rebooted; SSH and its agent answer again. It is still in maintenance: return it to service.`} />
        </Step>

        <Step n={4} title="Return to service" view={w.exitStep}>
          <p className="small">Takes {host} out of maintenance; the checks below turn true as the fleet reports it.</p>
          <button type="button" className="primary" disabled={!w.exitStep.enabled} onClick={() => run('exit')}>
            {session.exit.status === 'running' ? 'Returning…' : 'Return to service'}
          </button>
          {session.exit.status === 'failed' && <ErrorNote error={session.exit.error} what="Leaving maintenance" />}
          {checks.length > 0 && (
            <ul className="checks" aria-label="Back in service checks">
              {checks.map((c) => (
                <li key={c.id} className={c.ok ? 'check-ok' : 'check-wait'} data-ok={c.ok}>
                  <span className="check-mark">{c.ok ? '✓ yes' : '… not yet'}</span> {c.text}
                </li>
              ))}
            </ul>
          )}
        </Step>
      </ol>
    </section>
  );
}
