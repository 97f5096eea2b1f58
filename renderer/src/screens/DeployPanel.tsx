// The running (or last) deploy: one progress bar per host driven by 'deploy' events of its op
// (step and detail as they come), then each host's result: deployed with its version, or the error.
import { DEPLOY_STEPS } from '../../../electron/core/events.js';
import { Badge } from '../components/Badge.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { HostLink } from '../components/HostLink.js';
import { useApp, useAppState } from '../hooks.js';

export function DeployPanel() {
  const { store } = useApp();
  const run = useAppState((s) => s.deploy);
  const progress = useAppState((s) => (s.deploy ? s.console.ops[s.deploy.op] : undefined));
  const fleetHosts = useAppState((s) => s.console.fleet?.hosts);
  if (!run) return null;
  const names = new Set(run.hosts.length ? run.hosts : (fleetHosts ?? []).map((h) => h.host));
  for (const h of Object.keys(progress?.hosts ?? {})) names.add(h);
  for (const r of run.results ?? []) names.add(r.host);
  const results = new Map((run.results ?? []).map((r) => [r.host, r]));
  const head =
    run.status === 'running'
      ? 'Deploying the agent…'
      : run.status === 'done'
        ? 'Deploy finished: every host runs the agent.'
        : run.error
          ? 'Deploy failed.'
          : `Deploy finished with failures on ${(run.results ?? []).filter((r) => !r.ok).length} host(s).`;

  return (
    <section className="panel" aria-labelledby="deploy-title">
      <div className="panel-head">
        <h2 id="deploy-title">Deploy / upgrade agent</h2>
        <p role="status" className={run.status === 'failed' ? 'tone-text-bad' : undefined}>
          {head}
        </p>
        {run.status !== 'running' && (
          <button type="button" className="small-button" onClick={() => store.update({ deploy: null })}>
            Dismiss
          </button>
        )}
      </div>
      <ErrorNote error={run.error} what="Deploy" />
      <table className="data deploy-table">
        <caption className="visually-hidden">Deploy progress per host</caption>
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col">Progress</th>
            <th scope="col">Step</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {[...names].sort().map((host) => {
            const p = progress?.hosts[host];
            const r = results.get(host);
            const frac = r?.ok ? 1 : (p?.progress ?? 0);
            const stepIdx = p ? (DEPLOY_STEPS as readonly string[]).indexOf(p.step) : -1;
            return (
              <tr key={host}>
                <th scope="row">
                  <HostLink host={host} />
                </th>
                <td className="nowrap">
                  <progress max={1} value={frac} aria-label={`Deploy progress of ${host}`} aria-valuetext={`${Math.round(frac * 100)} %${p ? `, ${p.step}` : ''}`} />
                  <span className="small muted"> {Math.round(frac * 100)} %</span>
                </td>
                <td className="small">
                  {p ? (
                    <>
                      <span className="mono">{p.step}</span>
                      {stepIdx >= 0 && ` (${stepIdx + 1}/${DEPLOY_STEPS.length})`}
                      {p.detail && !(r && !r.ok) && <span className="muted"> — {p.detail}</span>}
                    </>
                  ) : run.status === 'running' ? (
                    <span className="muted">waiting…</span>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  {r ? (
                    r.ok ? (
                      <Badge symbol="✓" tone="ok">
                        deployed {r.version ?? ''}
                      </Badge>
                    ) : (
                      <>
                        <Badge symbol="✕" tone="bad">
                          failed
                        </Badge>
                        <div className="small tone-text-bad">{r.error}</div>
                      </>
                    )
                  ) : p?.state === 'failed' || p?.state === 'rolled-back' ? (
                    <Badge symbol="✕" tone="bad">
                      {p.state === 'rolled-back' ? 'rolled back' : 'failed'}
                    </Badge>
                  ) : p?.state === 'ok' ? (
                    <Badge symbol="✓" tone="ok">
                      deployed
                    </Badge>
                  ) : run.status === 'running' ? (
                    <span className="muted small">running</span>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
