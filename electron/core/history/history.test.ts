// The history: the store's bounds (size, age, whole segments), a torn line, reading back after a
// restart; the recorder's event → record mapping; operator actions recorded through the console API.
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHistoryStore, segmentFiles, type HistoryStore } from './store.js';
import { createRecorder, describeArgs } from './recorder.js';
import { recordActions } from './actions.js';
import { buildFleet } from '../fleet/build-fleet.js';
import { groupStatus, snapshot } from '../testing/snapshots.js';
import { stubApi } from '../testing/fuzz-calls.js';
import type { HistoryRecord } from './records.js';
import type { HostReport } from '../fleet/types.js';

const dirs: string[] = [];
const stores: HistoryStore[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'carp-history-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const rec = (t: number, host = 'fw1'): HistoryRecord => ({ t, kind: 'state', host, group: '198.18.0.0/24#1', state: 'MASTER', reason: 'x'.repeat(100) });

describe('history store', () => {
  it('reads back every record after a restart, in order', () => {
    const dir = tmp();
    let now = 1_000_000;
    const a = openHistoryStore(dir, {}, () => now);
    a.append([rec(now), rec(now + 1, 'fw2')]);
    a.close();
    now += 10;
    const b = openHistoryStore(dir, {}, () => now);
    b.append([rec(now, 'fw3')]);
    b.close();
    const c = openHistoryStore(dir, {}, () => now + 5);
    stores.push(c);
    const got = c.query({ from: 0 }).records;
    expect(got.map((r) => ('host' in r ? r.host : ''))).toEqual(['fw1', 'fw2', 'fw3']);
    expect(c.query({ from: 0, hosts: ['fw2'] }).records).toHaveLength(1);
    // from a later start: each lane's last state before it comes first (what the lane was), then the range
    expect(c.query({ from: now }).records.map((r) => [r.t < now, 'host' in r ? r.host : ''])).toEqual([
      [true, 'fw1'],
      [true, 'fw2'],
      [false, 'fw3'],
    ]);
  });

  it('skips a torn last line (a crash mid-write), never fails, and keeps appending whole lines', () => {
    const dir = tmp();
    const a = openHistoryStore(dir, {}, () => 5000);
    a.append([rec(5000), rec(5001)]);
    a.close();
    const file = join(dir, readdirSync(dir).find((f) => f.endsWith('.jsonl'))!);
    appendFileSync(file, '{"t":5002,"kind":"state","host":"fw');
    const b = openHistoryStore(dir, {}, () => 6000);
    expect(b.skipped).toBe(1);
    expect(b.query({ from: 0 }).records.map((r) => r.t)).toEqual([5000, 5001]);
    b.append([rec(6000)]);
    b.close();
    const c = openHistoryStore(dir, {}, () => 7000);
    stores.push(c);
    expect(c.query({ from: 0 }).records.map((r) => r.t)).toEqual([5000, 5001, 6000]);
  });

  it('stays under its size bound by deleting the oldest segments whole', () => {
    const dir = tmp();
    let now = 1_000_000;
    const s = openHistoryStore(dir, { maxBytes: 20_000, segmentBytes: 4096 }, () => now);
    stores.push(s);
    for (let i = 0; i < 400; i++) s.append([rec(now++)]); // ~160 bytes each: ~64 kB written
    const files = segmentFiles(dir);
    const total = files.reduce((n, f) => n + f.bytes, 0);
    expect(total).toBeLessThanOrEqual(20_000 + 4096);
    expect(files.length).toBeGreaterThan(1);
    const kept = s.query({ from: 0 }).records;
    // dropped whole from the oldest end: what is left is one unbroken run ending at the newest
    expect(kept.at(-1)!.t).toBe(now - 1);
    expect(kept.map((r) => r.t)).toEqual(Array.from({ length: kept.length }, (_, i) => now - kept.length + i));
    expect(kept.length).toBeLessThan(400);
    // and a restart reads back exactly what is left
    s.close();
    const again = openHistoryStore(dir, { maxBytes: 20_000, segmentBytes: 4096 }, () => now);
    stores.push(again);
    expect(again.query({ from: 0 }).records.length).toBe(kept.length);
  });

  it('drops segments older than its age bound on start, keeps younger ones', () => {
    const dir = tmp();
    const day = 24 * 3600_000;
    for (const t of [10 * day, 40 * day]) {
      const w = openHistoryStore(dir, {}, () => t);
      w.append([rec(t)]);
      w.close();
    }
    const s = openHistoryStore(dir, { maxAgeMs: 20 * day }, () => 45 * day);
    stores.push(s);
    expect(s.query({ from: 0 }).records.map((r) => r.t)).toEqual([40 * day]);
    expect(s.query({ from: 0 }).oldest).toBe(40 * day);
  });
});

const report = (host: string, state: 'MASTER' | 'BACKUP', over: Partial<HostReport> = {}, demote = 0): HostReport => ({
  host,
  status: 'live',
  lastSeen: 1,
  snapshot: snapshot(host, [groupStatus({ vhid: 1, srcip: '198.18.0.1', state, name: 'lan' })], { demote, maintenance: demote > 0 }),
  ...over,
});

describe('history recorder', () => {
  it('records state changes with the agent reason, master changes, outages, demotion and findings', () => {
    const r = createRecorder();
    const fleet = (at: number, reports: HostReport[]) => r.onEvent({ type: 'fleet', at, fleet: buildFleet(reports, at) });
    const first = fleet(100, [report('fw1', 'MASTER'), report('fw2', 'BACKUP')]);
    expect(first.filter((x) => x.kind === 'state')).toHaveLength(2);
    expect(first.find((x) => x.kind === 'master')).toMatchObject({ masters: ['fw1'], was: [] });
    expect(fleet(200, [report('fw1', 'MASTER'), report('fw2', 'BACKUP')])).toEqual([]); // nothing changed: nothing recorded
    // fw1's agent goes silent: its lane is UNKNOWN and the group has no live master (an outage begins)
    const lost = fleet(300, [report('fw1', 'MASTER', { status: 'stale' }), report('fw2', 'BACKUP')]);
    expect(lost).toContainEqual(expect.objectContaining({ kind: 'state', host: 'fw1', state: 'UNKNOWN' }));
    expect(lost).toContainEqual(expect.objectContaining({ kind: 'master', masters: [], was: ['fw1'], unseen: ['fw1'] }));
    expect(lost).toContainEqual(expect.objectContaining({ kind: 'finding', raised: true, finding: 'no-master' }));
    r.onEvent({ type: 'agent', at: 3300, receivedAt: 3300, host: 'fw2', event: { kind: 'state', at: 3300, vhid: 1, interface: 'eth0', from: 'BACKUP', to: 'MASTER', reason: 'master down timer expired (3.0 s without adverts)' } });
    const took = fleet(3300, [report('fw1', 'MASTER', { status: 'stale' }), report('fw2', 'MASTER')]);
    expect(took).toContainEqual(expect.objectContaining({ kind: 'state', host: 'fw2', state: 'MASTER', reason: expect.stringMatching(/master down/) }));
    expect(took).toContainEqual(expect.objectContaining({ kind: 'master', masters: ['fw2'], was: [] }));
    expect(took).toContainEqual(expect.objectContaining({ kind: 'finding', raised: false, finding: 'no-master' }));
    const demoted = fleet(4000, [report('fw1', 'MASTER', { status: 'stale' }), report('fw2', 'MASTER', {}, 1)]);
    expect(demoted).toContainEqual({ t: 4000, kind: 'demotion', host: 'fw2', demote: 1, maintenance: true });
  });

  it('records nothing from the fleet until every host has reported (no startup flicker)', () => {
    const r = createRecorder();
    const unheard: HostReport = { host: 'fw1', status: 'unreachable', lastSeen: 0 };
    expect(r.onEvent({ type: 'fleet', at: 100, fleet: buildFleet([unheard, report('fw2', 'BACKUP')], 100) })).toEqual([]);
    expect(r.onEvent({ type: 'fleet', at: 150, fleet: buildFleet([report('fw1', 'MASTER'), report('fw2', 'BACKUP')], 150) }).find((x) => x.kind === 'master')).toMatchObject({
      masters: ['fw1'],
      was: [],
    });
  });

  it('records steps as they come', () => {
    const r = createRecorder();
    expect(r.onEvent({ type: 'maintenance', at: 5, host: 'fw1', step: 'handover', group: 'g', to: 'fw2', op: 'm1' })).toEqual([
      { t: 5, kind: 'maintenance', host: 'fw1', step: 'handover', group: 'g', to: 'fw2', op: 'm1' },
    ]);
    expect(r.onEvent({ type: 'deploy', at: 6, host: 'fw1', step: 'done', progress: 1 })).toEqual([{ t: 6, kind: 'deploy', host: 'fw1', step: 'done' }]);
  });
});

describe('operator actions', () => {
  it('records mutating calls with who and the outcome, never reads or dry runs, and no password', async () => {
    const api = stubApi();
    const wrapped = { ...Object.fromEntries(['applyGroup', 'set', 'fleet', 'history', 'demote'].map((m) => [m, (api as unknown as Record<string, unknown>)[m]])) } as unknown as typeof api;
    (wrapped as unknown as Record<string, unknown>).demote = () => Promise.reject(new Error('agent is unreachable'));
    const got: { method: string; args: unknown[]; error?: unknown }[] = [];
    recordActions(wrapped, { action: (method, args, _at, error) => got.push({ method, args, ...(error ? { error } : {}) }) }, () => 1);
    await wrapped.fleet();
    await wrapped.applyGroup({ vhid: 1, password: 'sekrit' } as never, { dryRun: true });
    await wrapped.applyGroup({ vhid: 1, password: 'sekrit' } as never, {});
    await wrapped.set('fw1', 1, 'advskew', 10);
    await expect(wrapped.demote('fw1', 'add', 1)).rejects.toThrow(/unreachable/);
    expect(got.map((g) => g.method)).toEqual(['applyGroup', 'set', 'demote']);
    expect(got[2].error).toBeInstanceOf(Error);
    expect(describeArgs('applyGroup', got[0].args)).toMatch(/^applyGroup\(\{"vhid":1,"password":"…"\},\{\}\)$/);
  });
});

describe('history in the console core (fake agents)', () => {
  it('records a group apply, its masters and the operator action; history() reads them back, also after a restart', async () => {
    const { createConsole } = await import('../console.js');
    const { fakeFleet } = await import('../testing/fake-agent.js');
    const { until } = await import('../testing/until.js');
    const dir = tmp();
    const f = fakeFleet(2, 100);
    const open = () =>
      createConsole({
        hosts: f.transports.map((t) => t.host),
        transport: (h) => f.transports.find((t) => t.host.name === h.name)!,
        link: { staleMs: 300, backoffMinMs: 20, backoffMaxMs: 100 },
        history: { store: openHistoryStore(dir), who: 'tester (unit)' },
      });
    const c = open();
    try {
      await c.ready(5000);
      const spec = { vhid: 42, interface: 'eth0', addresses: ['198.18.0.100/24'], password: 'pw', members: [{ host: 'fw1', advskew: 0, preempt: true }, { host: 'fw2', advskew: 100, preempt: true }] };
      await c.applyGroup(spec, { dryRun: true });
      expect((await c.applyGroup(spec)).ok).toBe(true);
      await until(() => c.fleetNow().groups[0]?.master === 'fw1', 10_000);
      await until(async () => (await c.history({ from: 0 })).records.some((r) => r.kind === 'master' && r.masters[0] === 'fw1'), 5000);
      const page = await c.history({ from: 0 });
      const actions = page.records.filter((r) => r.kind === 'action');
      expect(actions).toEqual([expect.objectContaining({ kind: 'action', who: 'tester (unit)', method: 'applyGroup', ok: true })]); // the dry run is no change
      expect(JSON.stringify(page.records)).not.toContain('"pw"');
      expect(page.records.filter((r) => r.kind === 'apply').map((r) => r.kind === 'apply' && r.step)).toContain('done');
    } finally {
      c.close();
    }
    const d = open();
    try {
      const back = (await d.history({ from: 0 })).records;
      expect(back.filter((r) => r.kind === 'console').map((r) => r.kind === 'console' && r.what)).toEqual(['start', 'stop', 'start']);
      expect(back.some((r) => r.kind === 'master' && r.masters[0] === 'fw1')).toBe(true);
    } finally {
      d.close();
      f.net.stop();
    }
  });
});
