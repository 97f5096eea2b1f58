// Unit tests of wall mode's tiles: positions that never move with state, loud vs quiet, staleness and its age.
import { describe, expect, it } from 'vitest';
import type { Fleet, FleetGroup } from '../../../electron/core/fleet/types.js';
import { group, labFleet, member } from './testing/fleet-fixture.js';
import { isWallMode, wallColumns, wallLayout, WALL_FLEET_STALE_MS } from './wall.js';

const NOW = 1_000_500;

/** n groups on two segments; `degrade` turns the listed keys into groups without a master, `stale` silences their fw2 (a backup). */
function fleetOf(n: number, over: { degrade?: string[]; stale?: string[]; at?: number } = {}): Fleet {
  const groups: FleetGroup[] = [];
  for (let i = 0; i < n; i++) {
    const segment = i % 2 ? '198.18.10.0/24' : '198.18.2.0/24';
    const vhid = 100 - i; // inserted in an order that is not the board order
    const key = `${segment}#${vhid}`;
    const noMaster = over.degrade?.includes(key);
    const staleFw2 = over.stale?.includes(key);
    const ms = [
      member('fw2', { advskew: 100, ...(staleFw2 ? { live: false, hostStatus: 'stale', lastSeen: NOW - 12_000 } : {}) }),
      member('fw1', { state: noMaster ? 'BACKUP' : 'MASTER' }),
      member('fw3', { advskew: 50 }),
    ];
    groups.push(group(ms, { key, segment, vhid, name: `g${i}`, successor: 'fw3' }));
  }
  return { at: over.at ?? 1_000_000, hosts: [], groups, findings: [] };
}

const boxes = (f: Fleet, now = NOW) => Object.fromEntries(wallLayout(f, now).tiles.map((t) => [t.key, `${t.row}:${t.col}`]));

describe('wall layout', () => {
  it('places tiles in board order (segment, vhid) on a near-square grid', () => {
    const w = wallLayout(fleetOf(5), NOW);
    expect(w.columns).toBe(3);
    expect(w.rows).toBe(2);
    expect(w.tiles.map((t) => `${t.key}@${t.row}:${t.col}`)).toEqual([
      '198.18.2.0/24#96@1:1',
      '198.18.2.0/24#98@1:2',
      '198.18.2.0/24#100@1:3',
      '198.18.10.0/24#97@2:1',
      '198.18.10.0/24#99@2:2',
    ]);
  });

  it('never moves a tile when states change: degraded, stale, master moved, members reordered', () => {
    const calm = boxes(fleetOf(7));
    const stormy = fleetOf(7, { degrade: ['198.18.2.0/24#100', '198.18.10.0/24#97'], stale: ['198.18.2.0/24#96'] });
    stormy.groups.reverse();
    stormy.groups[0].members.reverse();
    expect(boxes(stormy)).toEqual(calm);
    // Even the whole fleet going old (console stream stopped) keeps every tile where it was.
    expect(boxes(fleetOf(7), 1_000_000 + WALL_FLEET_STALE_MS + 60_000)).toEqual(calm);
  });

  it('lists members by name, whatever their state, so lines inside a tile do not move either', () => {
    const a = wallLayout(labFleet(), NOW).tiles[0].members.map((m) => m.host);
    const b = wallLayout(labFleet({ fw1: { state: 'BACKUP' }, fw3: { state: 'MASTER' } }), NOW).tiles[0].members.map((m) => m.host);
    expect(a).toEqual(['fw1', 'fw2', 'fw3']);
    expect(b).toEqual(a);
  });

  it('columns depend on the number of groups only, capped', () => {
    expect([1, 2, 4, 5, 9, 10, 17, 36, 1000].map(wallColumns)).toEqual([3, 3, 3, 3, 3, 4, 5, 6, 6]);
  });
});

describe('wall tiles: loud and quiet', () => {
  it('a redundant group is quiet; no master, split brain, misconfigured, not redundant are loud with word + shape', () => {
    const ok = wallLayout(labFleet(), NOW).tiles[0];
    expect(ok).toMatchObject({ loud: false, kind: 'redundant', symbol: '✓', master: 'fw1', stale: false });

    const none = wallLayout(labFleet({ fw1: { state: 'BACKUP' } }), NOW).tiles[0];
    expect(none).toMatchObject({ loud: true, kind: 'no-master', label: 'no master', symbol: '✕', tone: 'bad', master: '—' });

    const split = wallLayout(labFleet({ fw3: { state: 'MASTER' } }), NOW).tiles[0];
    expect(split).toMatchObject({ loud: true, kind: 'split-brain', master: 'fw1 + fw3' });
    expect(split.label).toMatch(/split brain/);

    const f = labFleet();
    f.findings = [{ kind: 'mismatch:password', severity: 'error', group: f.groups[0].key, hosts: ['fw1', 'fw2', 'fw3'], message: 'x' }];
    expect(wallLayout(f, NOW).tiles[0]).toMatchObject({ loud: true, kind: 'misconfigured', label: 'misconfigured: passwords differ' });

    const lone = labFleet();
    lone.groups[0].successors = [];
    expect(wallLayout(lone, NOW).tiles[0]).toMatchObject({ loud: true, kind: 'no-successor', tone: 'warn', symbol: '⚠' });
  });

  it('summarises degraded and stale tiles', () => {
    const w = wallLayout(fleetOf(4, { degrade: ['198.18.2.0/24#100'], stale: ['198.18.10.0/24#99'] }), NOW);
    expect(w.summary).toBe('4 groups · 1 degraded · 1 stale');
    expect(w.loud).toBe(1);
    expect(wallLayout(fleetOf(2), NOW).summary).toBe('2 groups · all redundant');
  });
});

describe('wall tiles: staleness', () => {
  it('marks a tile stale with the age of its oldest member, and never shows that member as MASTER', () => {
    const f = labFleet({ fw1: { live: false, hostStatus: 'stale', lastSeen: NOW - 12_000 } });
    f.groups[0].master = null;
    f.groups[0].masters = [];
    const t = wallLayout(f, NOW).tiles[0];
    expect(t.stale).toBe(true);
    expect(t.staleText).toBe('fw1 last heard 12 s ago');
    expect(t.members.find((m) => m.host === 'fw1')).toMatchObject({ label: 'UNKNOWN', symbol: '?' });
    // A second old member is counted, the oldest named.
    const two = labFleet({ fw1: { live: false, hostStatus: 'stale', lastSeen: NOW - 12_000 }, fw2: { live: false, hostStatus: 'unreachable', lastSeen: NOW - 200_000 } });
    expect(wallLayout(two, NOW).tiles[0].staleText).toBe('fw2 last heard 3 min ago (+1 more)');
  });

  it('a fresh tile has no stale mark; the whole wall goes stale when the fleet stops arriving', () => {
    expect(wallLayout(labFleet(), NOW).tiles[0].stale).toBe(false);
    const late = 1_000_000 + 9000;
    const w = wallLayout(labFleet(), late);
    expect(w.stale).toBe(true);
    expect(w.tiles[0]).toMatchObject({ stale: true, staleText: 'no update for 9 s' });
    expect(w.updated).toMatch(/^last updated \d\d:\d\d:\d\d \(9 s ago\)$/);
  });

  it('waits for a first fleet', () => {
    expect(wallLayout(null, NOW)).toMatchObject({ tiles: [], updated: 'no data yet', stale: true });
  });
});

describe('isWallMode', () => {
  it('is on for #/wall and for ?wall without another route', () => {
    expect(isWallMode('', '#/wall')).toBe(true);
    expect(isWallMode('?token=abc&wall', '')).toBe(true);
    expect(isWallMode('?wall=1', '#/')).toBe(true);
    expect(isWallMode('?wall', '#/groups')).toBe(false);
    expect(isWallMode('?token=abc', '')).toBe(false);
    expect(isWallMode('', '#/fleet')).toBe(false);
  });
});

describe('wall tiles: kept while nothing they show changes', () => {
  it('keeps a live group’s tile as the same object across fleets and seconds, and makes a new one when it changes or ages', () => {
    const f = labFleet();
    const a = wallLayout(f, NOW).tiles[0];
    const later: Fleet = { ...f, at: NOW + 1000, findings: [...f.findings] };
    expect(wallLayout(later, NOW + 1500).tiles[0]).toBe(a);
    const changed = labFleet({ fw1: { state: 'BACKUP' }, fw3: { state: 'MASTER' } });
    expect(wallLayout(changed, NOW).tiles[0]).not.toBe(a);
    // a stale member: its age is shown, so its tile is made anew each time
    const stale = labFleet({ fw2: { live: false, hostStatus: 'stale', lastSeen: NOW - 12_000 } });
    const s1 = wallLayout(stale, NOW).tiles[0];
    const s2 = wallLayout(stale, NOW + 1000).tiles[0];
    expect(s2).not.toBe(s1);
    expect(s2.staleText).toMatch(/13 s/);
  });
});
