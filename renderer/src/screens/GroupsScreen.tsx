// Groups board: a summary line ("3 groups · all redundant"), fleet-wide findings, then one card per
// CARP group (segment, then vhid); "Apply a group file" opens the preview/apply dialog.
import { useState } from 'react';
import { Badge } from '../components/Badge.js';
import { FindingItem } from '../components/FindingItem.js';
import { useAppState, useCanAct } from '../hooks.js';
import { fleetWideFindings } from '../logic/findings.js';
import { sortGroups, summaryLine } from '../logic/groups.js';
import { ApplyGroupDialog } from './ApplyGroupDialog.js';
import { GroupCard } from './GroupCard.js';

const SUMMARY_SYMBOL = { ok: '✓', warn: '⚠', bad: '✕', unknown: '–' } as const;

export function GroupsScreen() {
  const fleet = useAppState((s) => s.console.fleet);
  const canAct = useCanAct();
  const [applying, setApplying] = useState(false);
  const groups = sortGroups(fleet?.groups ?? []);
  const summary = summaryLine(groups, fleet?.findings ?? []);
  const top = fleetWideFindings(fleet?.findings ?? []);

  return (
    <main className="screen" aria-labelledby="groups-title">
      <div className="screen-head">
        <h1 id="groups-title">Groups</h1>
        {fleet && (
          <p className="summary" aria-label={`Summary: ${summary.text}`}>
            <Badge symbol={SUMMARY_SYMBOL[summary.tone]} tone={summary.tone}>
              {summary.text}
            </Badge>
          </p>
        )}
        <div className="toolbar">
          <button type="button" onClick={() => setApplying(true)} disabled={!canAct}>
            Apply a group file
          </button>
        </div>
      </div>

      {!fleet && <p className="muted">Waiting for the fleet from the console…</p>}

      {top.length > 0 && (
        <section className="panel" aria-labelledby="fleet-findings-title">
          <h2 id="fleet-findings-title">Fleet findings</h2>
          <ul className="findings">
            {top.map((f, i) => (
              <FindingItem key={`${f.kind}-${f.hosts.join(',')}-${i}`} f={f} />
            ))}
          </ul>
        </section>
      )}

      {fleet && !groups.length && <p className="empty">No CARP groups yet. Deploy the agent on your hosts, then apply a group file.</p>}

      <div className="cards">
        {groups.map((g) => (
          <GroupCard key={g.key} group={g} findings={fleet?.findings ?? []} />
        ))}
      </div>

      {applying && <ApplyGroupDialog onClose={() => setApplying(false)} />}
    </main>
  );
}
