// "Apply a group file": paste or load YAML/JSON, parse it here (errors name the field), Preview =
// applyGroup(spec, {dryRun}) with the per-host, per-field diff, then Apply with each host's outcome.
import { useId, useState } from 'react';
import type { ApplyOutcome } from '../../../electron/core/commands/two-phase.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { PlanPreview, PlanTable } from '../components/PlanTable.js';
import { useAction, useApp, useAppState, useCanAct } from '../hooks.js';
import { newOpId } from '../logic/op-id.js';
import { stepState } from '../logic/progress.js';
import { EXAMPLE_SPEC, parseSpec } from '../logic/spec-text.js';

export function ApplyGroupDialog({ onClose }: { onClose: () => void }) {
  const { client } = useApp();
  const canAct = useCanAct();
  const ids = useId();
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [previewed, setPreviewed] = useState<string | null>(null);
  const [op, setOp] = useState<string | null>(null);
  const preview = useAction<ApplyOutcome>();
  const apply = useAction<ApplyOutcome>();
  const progress = useAppState((s) => (op ? s.console.ops[op] : undefined));

  const parse = () => {
    const r = parseSpec(text);
    setProblems(r.ok ? [] : r.problems);
    return r.ok ? r.spec : null;
  };
  const doPreview = async () => {
    apply.reset();
    const spec = parse();
    if (!spec) return;
    const id = newOpId('preview');
    setOp(id);
    const o = await preview.run(() => client.applyGroup(spec, { dryRun: true, op: id }));
    setPreviewed(o?.ok ? text : null);
  };
  const doApply = async () => {
    const spec = parse();
    if (!spec) return;
    const id = newOpId('apply');
    setOp(id);
    await apply.run(() => client.applyGroup(spec, { op: id }));
    // Whatever happened, the next apply needs a fresh preview against the fleet as it is now.
    setPreviewed(null);
  };
  const canApply = canAct && previewed !== null && previewed === text && !apply.pending;

  return (
    <Dialog title="Apply a group file" onClose={onClose} wide>
      <div className="field">
        <label htmlFor={`${ids}-spec`}>Group file (YAML or JSON)</label>
        <textarea
          id={`${ids}-spec`}
          className="mono"
          rows={preview.result || apply.result ? 6 : 12}
          value={text}
          placeholder={EXAMPLE_SPEC}
          aria-invalid={problems.length ? true : undefined}
          aria-describedby={`${ids}-spec-hint`}
          onChange={(e) => {
            setText(e.target.value);
            setProblems([]);
          }}
        />
        <span id={`${ids}-spec-hint`} className="hint">
          The whole truth for its vhid: members get the group; hosts on the same segment that run the vhid but are not listed lose it.
        </span>
      </div>
      <div className="field">
        <label htmlFor={`${ids}-file`}>Or load a file</label>
        <input
          id={`${ids}-file`}
          type="file"
          accept=".yaml,.yml,.json,text/plain,application/json"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void f.text().then(setText);
          }}
        />
      </div>
      {problems.length > 0 && (
        <div className="danger-box" role="alert">
          <strong>The group file is not valid:</strong>
          <ul>
            {problems.map((p) => (
              <li key={p} className="mono small">
                {p}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={() => void doPreview()} disabled={preview.pending || apply.pending || !text.trim()}>
          {preview.pending ? 'Validating on every member…' : 'Preview'}
        </button>
        <button type="button" className="primary" onClick={() => void doApply()} disabled={!canApply}>
          {apply.pending ? 'Applying…' : 'Apply'}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {previewed !== null && previewed !== text && <p className="small tone-text-warn">The text changed since the preview: preview again before applying.</p>}
      {previewed === null && preview.result?.ok && !apply.pending && (
        <p className="small muted">{apply.result ? 'To apply again, preview again first.' : 'Preview first: Apply is enabled once every member accepted the dry run.'}</p>
      )}
      <ErrorNote error={preview.error} what="Preview" />
      <ErrorNote error={apply.error} what="Apply" />

      {preview.result && !apply.result && (
        <PlanPreview o={preview.result} id={`${ids}-prev`} title="Preview: what would change" />
      )}

      {(apply.pending || apply.result) && (
        <section aria-labelledby={`${ids}-res`} className="subpanel">
          <h3 id={`${ids}-res`}>Apply</h3>
          {progress && (
            <ol className="log small" aria-label="Apply progress">
              {progress.log.map((l, i) => (
                <li key={i} className={`tone-text-${stepState('apply', l.step) === 'failed' ? 'bad' : 'plain'}`}>
                  {l.host ? `${l.host}: ` : ''}
                  {l.step}
                  {l.detail ? ` — ${l.detail}` : ''}
                </li>
              ))}
            </ol>
          )}
          {apply.result && (
            <>
              <p className={apply.result.ok ? 'result-ok' : 'danger-box'} role="status">
                <span aria-hidden="true">{apply.result.ok ? '✓ ' : '✕ '}</span>
                <strong>{apply.result.ok ? 'Applied.' : 'Not applied.'}</strong> {apply.result.summary}
              </p>
              <PlanTable o={apply.result} caption="Outcome per host" />
            </>
          )}
        </section>
      )}
    </Dialog>
  );
}
