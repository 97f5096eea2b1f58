// The per-host, per-field plan of a group apply or delete (before → after) with each host's validation
// or outcome: one table for the group file dialog and the group editor alike.
import type { ApplyOutcome, HostResult } from '../../../electron/core/commands/two-phase.js';
import { Badge } from './Badge.js';
import { ACTION_LABEL, fieldValue, outcomeDisplay, structuredDiff } from '../logic/apply-view.js';

function OutcomeBadge({ h }: { h: HostResult | undefined }) {
  if (!h) return <span className="muted">—</span>;
  const d = outcomeDisplay(h.outcome);
  return (
    <>
      <Badge symbol={d.symbol} tone={d.tone}>
        {d.label}
      </Badge>
      {h.revision !== undefined && <span className="small muted"> rev. {h.revision}</span>}
      {h.error && <div className="small tone-text-bad">{h.error.message}</div>}
    </>
  );
}

/** Per host: the action, each field before → after, and what the host said (validation or outcome). */
export function PlanTable({ o, caption }: { o: ApplyOutcome; caption: string }) {
  const diff = structuredDiff(o);
  const resultOf = (host: string, action: string) => o.hosts.find((h) => h.host === host && h.action === action) ?? o.hosts.find((h) => h.host === host);
  const col = o.dryRun ? 'Validation' : 'Outcome';
  if (!diff) {
    return (
      <>
        <pre className="preview">{o.preview}</pre>
        <table className="data">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">Action</th>
              <th scope="col">{col}</th>
            </tr>
          </thead>
          <tbody>
            {o.hosts.map((h, i) => (
              <tr key={`${h.host}-${i}`}>
                <th scope="row">{h.host}</th>
                <td>{ACTION_LABEL[h.action] ?? h.action}</td>
                <td>
                  <OutcomeBadge h={h} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </>
    );
  }
  return (
    <table className="data diff">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Host</th>
          <th scope="col">Action</th>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
          <th scope="col">{col}</th>
        </tr>
      </thead>
      <tbody>
        {diff.flatMap((d) => {
          const span = Math.max(1, d.fields.length);
          return (d.fields.length ? d.fields : [null]).map((f, i) => (
            <tr key={`${d.host}-${d.action}-${i}`} className={`diff-${d.action}`}>
              {i === 0 && (
                <th scope="row" rowSpan={span}>
                  {d.host}
                </th>
              )}
              {i === 0 && <td rowSpan={span}>{ACTION_LABEL[d.action] ?? d.action}</td>}
              <td className="mono">{f ? f.field : '—'}</td>
              <td className="mono">{f ? fieldValue(f.before) : ''}</td>
              <td className="mono">
                {f ? (
                  <>
                    <span aria-hidden="true">→ </span>
                    {fieldValue(f.after)}
                  </>
                ) : (
                  ''
                )}
              </td>
              {i === 0 && (
                <td rowSpan={span}>
                  <OutcomeBadge h={resultOf(d.host, d.action)} />
                </td>
              )}
            </tr>
          ));
        })}
      </tbody>
    </table>
  );
}

/** A dry run's result as a titled section: its summary (✓ or ✕) and the table of what would change. */
export function PlanPreview({ o, id, title }: { o: ApplyOutcome; id: string; title: string }) {
  return (
    <section aria-labelledby={id} className="subpanel">
      <h3 id={id}>{title}</h3>
      <p className={o.ok ? '' : 'tone-text-bad'} role="status">
        <span aria-hidden="true">{o.ok ? '✓ ' : '✕ '}</span>
        {o.summary}
      </p>
      <PlanTable o={o} caption="What would change, per host and field" />
    </section>
  );
}
