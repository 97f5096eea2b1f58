// Groups board: a summary line ("3 groups · all redundant"), fleet-wide findings, then one card per
// CARP group (segment, then vhid); "Apply a group file" opens the preview/apply dialog.
import { useState } from 'react';
import { Badge } from '../components/Badge.js';
import { FindingItem } from '../components/FindingItem.js';
import { useAppState, useCanAct } from '../hooks.js';
import { fleetWideFindings } from '../logic/findings.js';
import { sortGroups, summaryLine } from '../logic/groups.js';
import { ApplyGroupDialog } from './ApplyGroupDialog.js';
import { GroupEditor } from './GroupEditor.js';
import type { FleetGroup } from '../../../electron/core/fleet/types.js';
import { GroupCard } from './GroupCard.js';
import { WindowedList } from '../components/WindowedList.js';

const SUMMARY_SYMBOL = { ok: '✓', warn: '⚠', bad: '✕', unknown: '–' } as const;

export function GroupsScreen() {
  const fleet = useAppState((s) => s.console.fleet);
  const canAct = useCanAct();
  const [applying, setApplying] = useState(false);
  // The group editor: a group of the board (Edit), 'new' (New group), or closed.
  const [editing, setEditing] = useState<FleetGroup | 'new' | null>(null);
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
          <button type="button" className="primary" onClick={() => setEditing('new')} disabled={!canAct}>
            New group
          </button>
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

      {fleet && !groups.length && <p className="empty">No CARP groups yet. Deploy the agent on your hosts, then create one with New group or apply a group file.</p>}

      <div className="cards">
        {/* 1,000 groups: only the first cards and more as the board scrolls (WindowedList) */}
        <WindowedList
          items={groups}
          noun="groups"
          render={(g) => <GroupCard key={g.key} group={g} findings={fleet?.findings ?? []} onEdit={canAct ? setEditing : undefined} />}
        />
      </div>

      {applying && <ApplyGroupDialog onClose={() => setApplying(false)} />}
      {editing && <GroupEditor group={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </main>
  );
}
