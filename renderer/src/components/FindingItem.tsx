// One finding in plain words: severity as icon + word + colour, a short title, the core's message,
// and its one-click fix when it has one ("Reset demotion on fw1", "Leave maintenance on fw1").
import type { CommandReply } from '../../../electron/core/api.js';
import type { Finding } from '../../../electron/core/fleet/types.js';
import { useAction, useApp, useCanAct } from '../hooks.js';
import { actionLabel, findingTitle, SEVERITY } from '../logic/findings.js';
import { Badge } from './Badge.js';
import { ErrorNote } from './ErrorNote.js';

/** showFix: false where the same commands are already offered next to it (the host view's actions). */
export function FindingItem({ f, showFix = true }: { f: Finding; showFix?: boolean }) {
  const { client } = useApp();
  const canAct = useCanAct();
  const action = useAction<CommandReply>();
  const sev = SEVERITY[f.severity];
  const fix = showFix ? f.action : undefined;
  const run = () => {
    if (!fix) return;
    void action.run(() => (fix.kind === 'reset-demotion' ? client.demote(fix.host, 'set', 0) : client.maintenanceExit(fix.host)));
  };
  return (
    <li className={`finding sev-${f.severity}`}>
      <Badge symbol={sev.symbol} tone={sev.tone}>
        {sev.label}
      </Badge>
      <div className="finding-body">
        <strong>{findingTitle(f.kind)}.</strong> {f.message}
        {fix && (
          <div className="finding-fix">
            <button type="button" className="small-button" onClick={run} disabled={!canAct || action.pending || !!action.result}>
              {action.pending ? 'Working…' : actionLabel(fix)}
            </button>
            {action.result && (
              <span className="small" role="status">
                <span aria-hidden="true">✓ </span>sent; the finding clears when the fleet shows it
              </span>
            )}
            <ErrorNote error={action.error} />
          </div>
        )}
      </div>
    </li>
  );
}
