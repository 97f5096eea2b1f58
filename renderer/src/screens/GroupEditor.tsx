// The group editor (dialog): members from the inventory in master order (drag, or Move up/down), advskews
// assigned with gaps, predicted master/successor and master-down times; Preview / Apply / Delete through
// the core's applyGroup / deleteGroup (dry run first), with per-host progress and the rollback in words.
import { useId, useMemo, useState, type DragEvent } from 'react';
import type { ApplyOutcome } from '../../../electron/core/commands/two-phase.js';
import type { Fleet, FleetGroup } from '../../../electron/core/fleet/types.js';
import { Badge } from '../components/Badge.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { PlanPreview, PlanTable } from '../components/PlanTable.js';
import { useAction, useApp, useAppState, useCanAct } from '../hooks.js';
import {
  addMember,
  applyFailure,
  buildSpec,
  editorStateOf,
  fitSkews,
  generatePassword,
  interfacesOf,
  masterDownMs,
  MAX_ADVSKEW,
  MAX_PASSWORD_BYTES,
  moveMember,
  newEditorState,
  orderBySkew,
  parseAddresses,
  passwordProblem,
  predict,
  removeMember,
  segmentsOf,
  skewFloor,
  suggestVhid,
  utf8Bytes,
  vhidCollisions,
  type EditorMember,
  type EditorState,
} from '../logic/editor.js';
import {
  choiceLabel,
  foreignCarpOn,
  interfaceChoices,
  interfaceForNewMember,
  interfaceSegments,
  memberInterface,
  networkWarnings,
  ucarpPeers,
  ucarpWarning,
  unheardSegments,
  vrrpCollisions,
  vrrpWarning,
  withMemberInterface,
} from '../logic/editor-segments.js';
import { senderText } from '../../../electron/core/fleet/foreign.js';
import { outcomeDisplay } from '../logic/apply-view.js';
import { newOpId } from '../logic/op-id.js';
import type { StepState } from '../logic/progress.js';
import './editor.css';

const STEP_BADGE: Record<StepState, { symbol: string; tone: string }> = {
  running: { symbol: '…', tone: 'unknown' },
  ok: { symbol: '✓', tone: 'ok' },
  failed: { symbol: '✕', tone: 'bad' },
  'rolled-back': { symbol: '↩', tone: 'warn' },
};

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

export function GroupEditor({ group, onClose }: { group: FleetGroup | null; onClose: () => void }) {
  const { client } = useApp();
  const canAct = useCanAct();
  const fleet = useAppState((s) => s.console.fleet);
  const ids = useId();
  const [st, setSt] = useState<EditorState>(() => (group ? editorStateOf(group) : newEditorState(fleet)));
  const [pick, setPick] = useState('');
  const [showPw, setShowPw] = useState(false);
  const [drag, setDrag] = useState<number | null>(null);
  const [previewed, setPreviewed] = useState<string | null>(null);
  const [op, setOp] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const preview = useAction<ApplyOutcome>();
  const apply = useAction<ApplyOutcome>();
  const progress = useAppState((s) => (op ? s.console.ops[op] : undefined));

  const built = buildSpec(st);
  const specKey = built.ok ? JSON.stringify(built.spec) : null;
  const segments = [...new Set([...segmentsOf(st, fleet), ...interfaceSegments(st, fleet)])];
  const collisions = vhidCollisions(fleet, st.vhid, segments, st.editing);
  // VRRP routers with this router id on the segment share the vhid's virtual MAC; for a new group, a foreign CARP sender of this vhid is another group
  const vrrp = vrrpCollisions(fleet, st.vhid, segments);
  const foreignCarp = st.editing ? [] : foreignCarpOn(fleet, st.vhid, segments);
  const vhidProblems = [
    ...(collisions.length
      ? [`vhid ${st.vhid} is already used on ${collisions.map((g) => `${g.segment}${g.name ? ` (${g.name})` : ''} by ${g.members.map((m) => m.host).join(', ')}`).join('; ')}: two groups with one vhid on a segment collide`]
      : []),
    ...vrrp.map(vrrpWarning),
    ...foreignCarp.map((s) => `${senderText(s.advert)} is not a fleet host but already runs vhid ${s.id} on ${s.segment} (heard by ${s.heardBy.map((h) => h.host).join(', ')}): choose another vhid`),
  ];
  const netWarnings = networkWarnings(st, fleet);
  const unheard = unheardSegments(fleet, segments);
  const hostInfo = useMemo(() => new Map((fleet?.hosts ?? []).map((h) => [h.host, { demote: h.demote ?? 0, maintenance: h.maintenance ?? false }])), [fleet]);
  const pred = predict(st.members, st.advbase, hostInfo);
  const ifaces = interfacesOf(fleet);
  const memberHosts = st.members.map((m) => m.host);
  // the interface names the chosen members offer (every host's before any is chosen)
  const ifaceChoices = [...new Set([...ifaces].filter(([h]) => !memberHosts.length || memberHosts.includes(h)).flatMap(([, l]) => l))].sort();
  const available = (fleet?.hosts ?? []).map((h) => h.host).filter((h) => !st.members.some((m) => m.host === h));
  const pwProblem = passwordProblem(st.password);
  const addrCount = parseAddresses(st.addresses).length;
  const ucarp = ucarpPeers(fleet, st.vhid, segments);
  const ucarpProblem = ucarpWarning(addrCount, ucarp);

  const edit = (patch: Partial<EditorState>) => {
    setSt((s) => ({ ...s, ...patch }));
    setDeleting(false);
  };
  const setMembers = (members: EditorMember[]) => edit({ members });
  const floor = skewFloor(st.advbase);
  const move = (from: number, to: number) => setMembers(moveMember(st.members, from, to, floor));

  const doPreview = async () => {
    if (!built.ok) return;
    apply.reset();
    setDeleting(false);
    const id = newOpId('preview');
    setOp(id);
    const o = await preview.run(() => client.applyGroup(built.spec, { dryRun: true, op: id }));
    setPreviewed(o?.ok ? specKey : null);
  };
  const doApply = async () => {
    if (!built.ok) return;
    const id = newOpId('apply');
    setOp(id);
    await apply.run(() => client.applyGroup(built.spec, { op: id }));
    setPreviewed(null);
  };
  const editingGroup = group && fleet ? (fleet.groups.find((g) => g.key === group.key) ?? group) : group;
  const doDeletePreview = async () => {
    if (!editingGroup) return;
    apply.reset();
    setDeleting(true);
    const id = newOpId('preview');
    setOp(id);
    const o = await preview.run(() => client.deleteGroup(editingGroup.vhid, { segment: editingGroup.segment, dryRun: true, op: id }));
    setPreviewed(o?.ok ? 'delete' : null);
  };
  const doDelete = async () => {
    if (!editingGroup) return;
    const id = newOpId('apply');
    setOp(id);
    await apply.run(() => client.deleteGroup(editingGroup.vhid, { segment: editingGroup.segment, op: id }));
    setPreviewed(null);
  };
  const canApply = canAct && !apply.pending && !preview.pending && previewed !== null && (deleting ? previewed === 'delete' : previewed === specKey);
  const failure = apply.result ? applyFailure(apply.result) : null;

  const onDrop = (e: DragEvent, to: number) => {
    e.preventDefault();
    const from = drag ?? st.members.findIndex((m) => m.host === e.dataTransfer.getData('text/plain'));
    setDrag(null);
    if (from >= 0) move(from, to);
  };

  const title = group ? `Edit group vhid ${group.vhid}${group.name ? ` (${group.name})` : ''}` : 'New group';
  return (
    <Dialog title={title} onClose={onClose} wide>
      <div className="editor-grid">
        <div className="field">
          <label htmlFor={`${ids}-name`}>Name</label>
          <input id={`${ids}-name`} value={st.name} maxLength={64} placeholder="lan-gateway" onChange={(e) => edit({ name: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-vhid`}>vhid</label>
          <div className="inline">
            <input
              id={`${ids}-vhid`}
              type="number"
              min={1}
              max={255}
              value={st.vhid}
              disabled={!!group}
              aria-invalid={vhidProblems.length ? true : undefined}
              aria-describedby={`${ids}-vhid-hint`}
              onChange={(e) => edit({ vhid: Number(e.target.value) })}
            />
            {!group && (
              <button type="button" className="small-button" onClick={() => edit({ vhid: suggestVhid(fleet, segments) ?? st.vhid })}>
                Suggest a free vhid
              </button>
            )}
          </div>
          <span id={`${ids}-vhid-hint`} className={vhidProblems.length ? 'field-error' : 'hint'}>
            {vhidProblems.length
              ? `⚠ ${vhidProblems.join('. ⚠ ')}.`
              : group
                ? 'A group is its segment and vhid: to change the vhid, create a new group and delete this one.'
                : `Free on ${segments.length ? segments.join(', ') : 'every segment the fleet knows'}${unheard.length ? ` among fleet groups; no agent listens on ${unheard.join(', ')} yet (agents hear VRRP and other CARP only where they run a group), so routers there are not known` : ''}.`}
          </span>
        </div>
        <div className="field">
          <label htmlFor={`${ids}-iface`}>Interface</label>
          <input id={`${ids}-iface`} className="mono" list={`${ids}-ifaces`} value={st.interface} onChange={(e) => edit({ interface: e.target.value })} />
          <datalist id={`${ids}-ifaces`}>
            {ifaceChoices.map((i) => (
              <option key={i} value={i} />
            ))}
          </datalist>
          <span className="hint">
            {ifaceChoices.length
              ? `The members' default; each member can use another below (hosts report ${[...ifaces].filter(([h]) => !memberHosts.length || memberHosts.includes(h)).map(([h, l]) => `${h}: ${l.join(', ')}`).join('; ')}).`
              : 'The hosts report no interfaces yet (their agents are not connected, or too old to report them).'}
          </span>
        </div>
        <div className="field">
          <label htmlFor={`${ids}-advbase`}>advbase (s)</label>
          <input id={`${ids}-advbase`} type="number" min={0} max={255} value={st.advbase} onChange={(e) => {
              // advbase 0 needs every advskew ≥ 1: the members out of range take values in the gaps
              const advbase = Number(e.target.value);
              edit({ advbase, members: fitSkews(st.members, skewFloor(advbase)) });
            }} />
          <span className="hint">Advert interval; a backup takes over after 3 × advbase + advskew/256 s of silence. 0: sub-second (OpenBSD, ucarp; not FreeBSD): adverts every advskew/256 s, takeover after 3 × advskew/256 s; every member then needs advskew 1..254.</span>
        </div>
        <div className="field span-2">
          <label htmlFor={`${ids}-addr`}>Virtual addresses</label>
          <input id={`${ids}-addr`} className="mono" value={st.addresses} placeholder="198.18.0.100/24" onChange={(e) => edit({ addresses: e.target.value })} />
          <span className={ucarpProblem ? 'field-error' : 'hint'}>
            {ucarpProblem
              ? `⚠ ${ucarpProblem}.`
              : addrCount > 1
                ? 'IPv4/prefix, separated by spaces or commas. Several addresses suit carp(4) peers (they hash them all); no ucarp peer of this vhid has been heard (ucarp hashes one).'
                : 'IPv4/prefix, separated by spaces or commas.'}
          </span>
        </div>
        <div className="field span-2">
          <label htmlFor={`${ids}-pw`}>Password</label>
          <div className="inline">
            <input
              id={`${ids}-pw`}
              className="mono"
              type={showPw ? 'text' : 'password'}
              autoComplete="new-password"
              spellCheck={false}
              value={st.password}
              aria-invalid={pwProblem ? true : undefined}
              aria-describedby={`${ids}-pw-hint`}
              onChange={(e) => edit({ password: e.target.value })}
            />
            <label className="inline small">
              <input type="checkbox" checked={showPw} onChange={(e) => setShowPw(e.target.checked)} /> Show
            </label>
            <button
              type="button"
              className="small-button"
              onClick={() => {
                edit({ password: generatePassword() });
                setShowPw(true);
              }}
            >
              Generate
            </button>
          </div>
          <span id={`${ids}-pw-hint`} className={pwProblem ? 'field-error' : 'hint'}>
            {pwProblem
              ? `✕ Refused: ${pwProblem}.`
              : `${utf8Bytes(st.password)} of ${MAX_PASSWORD_BYTES} bytes.${group ? ' The console never stores passwords: enter the group’s current one to keep it (the preview says whether it differs).' : ''}`}
          </span>
        </div>
      </div>

      <section className="subpanel" aria-labelledby={`${ids}-order`}>
        <h3 id={`${ids}-order`}>Master order</h3>
        <p className="hint">Preferred master first, last resort last. Drag a member, or use Move up / Move down; advskews are assigned with gaps so a later insert renumbers nobody.</p>
        <div className="inline">
          <label htmlFor={`${ids}-add`}>Add a host</label>
          <select id={`${ids}-add`} value={pick} onChange={(e) => setPick(e.target.value)}>
            <option value="">{available.length ? 'choose a host…' : 'every host is a member'}</option>
            {available.map((h) => {
              const v = fleet?.hosts.find((x) => x.host === h);
              return (
                <option key={h} value={h}>
                  {h}
                  {v && v.status !== 'live' ? ` (${v.status})` : ''}
                </option>
              );
            })}
          </select>
          <button
            type="button"
            className="small-button"
            disabled={!pick}
            onClick={() => {
              // a host whose interface on the group's segment has another name joins with that one
              const own = interfaceForNewMember(st, fleet, pick);
              setMembers(addMember(st.members, pick, floor).map((m) => (m.host === pick && own ? { ...m, interface: own } : m)));
              setPick('');
            }}
          >
            Add
          </button>
        </div>
        {st.members.length === 0 ? (
          <p className="empty">No members yet: add hosts from the inventory.</p>
        ) : (
          <ol className="master-order" aria-label="Master order">
            {st.members.map((m, i) => {
              const isMaster = pred.masters.includes(m.host);
              const isNext = pred.successors.includes(m.host);
              const tied = isMaster ? pred.masters.length > 1 : pred.successors.length > 1;
              return (
                <li
                  key={m.host}
                  className={`order-item${drag === i ? ' dragging' : ''}`}
                  draggable
                  aria-label={`${i + 1}. ${m.host}`}
                  data-host={m.host}
                  onDragStart={(e) => {
                    setDrag(i);
                    e.dataTransfer.setData('text/plain', m.host);
                    e.dataTransfer.effectAllowed = 'move';
                  }}
                  onDragEnd={() => setDrag(null)}
                  onDragOver={(e) => e.preventDefault()}
                  onDrop={(e) => onDrop(e, i)}
                >
                  <span className="drag-handle" aria-hidden="true">
                    ⠿
                  </span>
                  <span className="order-pos">{i + 1}.</span>
                  <span className="order-host-cell">
                    <strong className="order-host">{m.host}</strong>
                    <MemberInterface st={st} m={m} fleet={fleet} onChange={(name) => setMembers(withMemberInterface(st, m.host, name))} />
                  </span>
                  <span className="order-role">
                    {isMaster && (
                      <Badge symbol="●" tone="master">
                        {tied ? 'master (tied)' : 'predicted master'}
                      </Badge>
                    )}
                    {isNext && (
                      <span className="tag tag-successor">
                        <span aria-hidden="true">→ </span>successor{tied ? ' (tied)' : ''}
                      </span>
                    )}
                  </span>
                  <label className="inline small">
                    advskew
                    <input
                      type="number"
                      className="skew-input"
                      min={0}
                      max={MAX_ADVSKEW}
                      value={m.advskew}
                      aria-label={`advskew of ${m.host}`}
                      onChange={(e) => setMembers(st.members.map((x) => (x.host === m.host ? { ...x, advskew: Math.max(0, Math.min(MAX_ADVSKEW, Math.round(Number(e.target.value) || 0))) } : x)))}
                      onBlur={() => setMembers(orderBySkew(st.members))}
                    />
                  </label>
                  <span className="small muted nowrap" title={st.advbase === 0 ? '3 × advskew/256 s (advbase 0)' : '3 × advbase + advskew/256 s'}>
                    master-down {seconds(masterDownMs(st.advbase, m.advskew))}
                  </span>
                  <span className="order-buttons">
                    <button type="button" className="small-button" aria-label={`Move ${m.host} up`} disabled={i === 0} onClick={() => move(i, i - 1)}>
                      ↑ up
                    </button>
                    <button type="button" className="small-button" aria-label={`Move ${m.host} down`} disabled={i === st.members.length - 1} onClick={() => move(i, i + 1)}>
                      ↓ down
                    </button>
                    <button type="button" className="small-button" aria-label={`Remove ${m.host}`} onClick={() => setMembers(removeMember(st.members, m.host))}>
                      ✕
                    </button>
                  </span>
                </li>
              );
            })}
          </ol>
        )}
        {st.members.length > 0 && (
          <p role="status" aria-label="Prediction">
            Predicted master: <strong>{pred.masters.join(' or ') || 'none'}</strong>
            {pred.masters.length > 1 && <span className="tone-text-warn"> (tied: either may win; give distinct advskews)</span>}
            {' · '}successor: <strong>{pred.successors.join(' or ') || 'none'}</strong>
            {pred.successors.length > 1 && <span className="tone-text-warn"> (tied)</span>}
          </p>
        )}
      </section>

      {netWarnings.length > 0 && (
        <div className="warn-box" aria-label="Network warnings">
          <strong>Network:</strong>
          <ul>
            {netWarnings.map((w) => (
              <li key={w} className="small">
                ⚠ {w}
              </li>
            ))}
          </ul>
        </div>
      )}

      {!built.ok && (previewed !== null || st.members.length > 0) && (
        <div className="warn-box" aria-label="Not ready to preview">
          <strong>Before a preview:</strong>
          <ul>
            {built.problems.map((p) => (
              <li key={p} className="small">
                {p}
              </li>
            ))}
          </ul>
        </div>
      )}

      <div className="dialog-actions">
        <button type="button" onClick={() => void doPreview()} disabled={!built.ok || preview.pending || apply.pending}>
          {preview.pending && !deleting ? 'Validating on every member…' : 'Preview'}
        </button>
        <button type="button" className="primary" onClick={() => void (deleting ? doDelete() : doApply())} disabled={!canApply}>
          {apply.pending ? (deleting ? 'Deleting…' : 'Applying…') : deleting ? 'Delete group' : 'Apply'}
        </button>
        {group && (
          <button type="button" className="danger" onClick={() => void doDeletePreview()} disabled={!canAct || preview.pending || apply.pending}>
            Delete…
          </button>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {!deleting && previewed !== null && previewed !== specKey && <p className="small tone-text-warn">The group changed since the preview: preview again before applying.</p>}
      <ErrorNote error={preview.error} what="Preview" />
      <ErrorNote error={apply.error} what={deleting ? 'Delete' : 'Apply'} />

      {preview.result && !apply.result && !apply.pending && (
        <PlanPreview o={preview.result} id={`${ids}-prev`} title={deleting ? 'Preview: what deleting the group would change' : 'Preview: what would change'} />
      )}

      {(apply.pending || apply.result) && (
        <section aria-labelledby={`${ids}-res`} className="subpanel">
          <h3 id={`${ids}-res`}>{deleting ? 'Delete' : 'Apply'}</h3>
          {progress && Object.keys(progress.hosts).length > 0 && (
            <ul className="host-progress" aria-label="Progress per host">
              {Object.values(progress.hosts).map((h) => {
                const b = STEP_BADGE[h.state];
                return (
                  <li key={h.host}>
                    <strong>{h.host}</strong>
                    <span>
                      <Badge symbol={b.symbol} tone={b.tone}>
                        {outcomeDisplay(h.step).label}
                      </Badge>
                    </span>
                    <span className="small muted">{h.detail ?? ''}</span>
                  </li>
                );
              })}
            </ul>
          )}
          {apply.result && (
            <>
              {failure ? (
                <div className="danger-box" role="alert">
                  <p>
                    <span aria-hidden="true">✕ </span>
                    <strong>Not applied.</strong> {failure.text}
                  </p>
                  <p className="small">{apply.result.summary}</p>
                </div>
              ) : (
                <p className="result-ok" role="status">
                  <span aria-hidden="true">✓ </span>
                  <strong>{deleting ? 'Deleted.' : 'Applied.'}</strong> {apply.result.summary}
                </p>
              )}
              <PlanTable o={apply.result} caption="Outcome per host" />
            </>
          )}
        </section>
      )}
    </Dialog>
  );
}

/** A member's interface: the ones its host reports, with segment and link ("eth0 · 198.18.0.0/24"). */
function MemberInterface({ st, m, fleet, onChange }: { st: EditorState; m: EditorMember; fleet: Fleet | null; onChange: (name: string) => void }) {
  const name = memberInterface(st, m);
  const choices = interfaceChoices(fleet, m.host);
  const known = choices.some((c) => c.name === name);
  return (
    <select className="order-iface small" value={name} aria-label={`interface of ${m.host}`} onChange={(e) => onChange(e.target.value)}>
      {!known && <option value={name}>{name} · {choices.length ? 'not on this host' : 'not reported'}</option>}
      {choices.map((c) => (
        <option key={c.name} value={c.name}>
          {choiceLabel(c)}
        </option>
      ))}
    </select>
  );
}
