// Unit tests of the group editor's logic: advskew assignment (gaps, distinct, inserts and moves without
// renumbering, bounds), prediction, vhid suggestion and collisions, passwords, and the spec it builds.
import { describe, expect, it } from 'vitest';
import { masterDownMs as engineMasterDownMs } from '../../../agent/engine/engine.js';
import {
  addMember,
  applyFailure,
  assignAdvskews,
  buildSpec,
  editorStateOf,
  fitSkews,
  generatePassword,
  masterDownMs,
  MAX_ADVSKEW,
  moveMember,
  newEditorState,
  orderBySkew,
  passwordProblem,
  predict,
  segmentOf,
  segmentsOf,
  skewFloor,
  suggestVhid,
  valuesBetween,
  vhidCollisions,
  type EditorMember,
  type EditorState,
} from './editor.js';
import { group, labFleet, member } from './testing/fleet-fixture.js';
import type { Fleet } from '../../../electron/core/fleet/types.js';

const ms = (...skews: number[]): EditorMember[] => skews.map((advskew, i) => ({ host: `fw${i + 1}`, advskew, preempt: true }));
const skews = (m: EditorMember[]) => m.map((x) => x.advskew);
const hosts = (m: EditorMember[]) => m.map((x) => x.host);

describe('assignAdvskews', () => {
  it('numbers an order 0, 50, 100, … with gaps', () => {
    expect(assignAdvskews(3)).toEqual([0, 50, 100]);
    expect(assignAdvskews(1)).toEqual([0]);
    expect(assignAdvskews(0)).toEqual([]);
  });
  it('stays distinct and within 0..254 for long lists, with the widest step that fits', () => {
    for (const n of [6, 7, 20, 128, 255]) {
      const v = assignAdvskews(n);
      expect(new Set(v).size).toBe(n);
      expect(Math.max(...v)).toBeLessThanOrEqual(MAX_ADVSKEW);
      expect(Math.min(...v)).toBe(0);
    }
    expect(assignAdvskews(6)).toEqual([0, 50, 100, 150, 200, 250]);
    expect(assignAdvskews(7)).toEqual([0, 42, 84, 126, 168, 210, 252]);
  });
  it('refuses more members than distinct values', () => {
    expect(() => assignAdvskews(256)).toThrow(/distinct/);
  });
});

describe('moving and inserting members', () => {
  it('moving the master to the end gives it a value past the last one and renumbers nobody', () => {
    const out = moveMember(ms(0, 50, 100), 0, 2);
    expect(hosts(out)).toEqual(['fw2', 'fw3', 'fw1']);
    expect(skews(out)).toEqual([50, 100, 150]);
  });
  it('moving a member into the middle puts it in the gap between its neighbours', () => {
    const out = moveMember(ms(0, 50, 100), 2, 1);
    expect(hosts(out)).toEqual(['fw1', 'fw3', 'fw2']);
    expect(skews(out)).toEqual([0, 25, 50]);
  });
  it('renumbers everyone only when there is no room (moving the last to the front of 0, 50, 100)', () => {
    const out = moveMember(ms(0, 50, 100), 2, 0);
    expect(hosts(out)).toEqual(['fw3', 'fw1', 'fw2']);
    expect(skews(out)).toEqual([0, 50, 100]);
  });
  it('an added host goes last with a value past the last, the others keep theirs', () => {
    const out = addMember(ms(0, 50), 'fw9');
    expect(skews(out)).toEqual([0, 50, 100]);
    expect(addMember(out, 'fw9')).toBe(out);
  });
  it('an insert into a full tail stays within 254 (and distinct)', () => {
    const out = addMember(ms(0, 230), 'fw9');
    expect(skews(out)).toEqual([0, 230, 242]);
    const full = addMember(ms(0, 254), 'fw9');
    expect(new Set(skews(full)).size).toBe(3);
    expect(Math.max(...skews(full))).toBeLessThanOrEqual(254);
  });
  it('an order already increasing is kept as is (values typed by hand survive a no-op)', () => {
    const m = ms(3, 7, 200);
    expect(fitSkews(m)).toBe(m);
    expect(moveMember(m, 1, 1)).toBe(m);
  });
  it('valuesBetween: the middle of a gap, the step at either end, null when full', () => {
    expect(valuesBetween(0, 50, 1)).toEqual([25]);
    expect(valuesBetween(100, undefined, 2)).toEqual([150, 200]);
    expect(valuesBetween(undefined, 100, 1)).toEqual([50]);
    expect(valuesBetween(4, 5, 1)).toBeNull();
    expect(valuesBetween(undefined, 0, 1)).toBeNull();
    expect(valuesBetween(254, undefined, 1)).toBeNull();
  });
  it('after a hand edit the order follows the values', () => {
    const m = ms(0, 50, 100);
    m[0] = { ...m[0], advskew: 120 };
    expect(hosts(orderBySkew(m))).toEqual(['fw2', 'fw3', 'fw1']);
  });
});

describe('advskews at advbase 0 (every member needs advskew 1..254)', () => {
  it('starts at 1, adds past the last, and fits a group switched to advbase 0 without renumbering the rest', () => {
    expect(skewFloor(0)).toBe(1);
    expect(skewFloor(1)).toBe(0);
    expect(assignAdvskews(3, 50, 1)).toEqual([1, 51, 101]);
    const one = addMember([], 'fw1', 1);
    expect(skews(one)).toEqual([1]);
    expect(skews(addMember(one, 'fw2', 1))).toEqual([1, 51]);
    // a group at advbase 1 switched to 0: the member at 0 takes a value below its neighbour, the others keep theirs
    expect(skews(fitSkews(ms(0, 50, 100), 1))).toEqual([25, 50, 100]);
    // moving the last to the front of 1, 2, 3 has no room above 0: everyone renumbered from 1
    const out = moveMember(ms(1, 2, 3), 2, 0, 1);
    expect(hosts(out)).toEqual(['fw3', 'fw1', 'fw2']);
    expect(skews(out)).toEqual([1, 51, 101]);
    expect(buildSpec({ ...newEditorState(null), advbase: 0, password: 'x', addresses: '198.18.0.100/24', members: fitSkews(ms(0, 50), 1) }).ok).toBe(true);
  });
});

describe('predict and master-down', () => {
  it('the lowest advskew is master, the next the successor; a tie names both and no successor', () => {
    expect(predict(ms(0, 50, 100), 1)).toEqual({ masters: ['fw1'], successors: ['fw2'] });
    expect(predict(ms(50, 100, 0), 1)).toEqual({ masters: ['fw3'], successors: ['fw1'] });
    expect(predict(ms(0, 50, 50), 1)).toEqual({ masters: ['fw1'], successors: ['fw2', 'fw3'] });
    expect(predict(ms(0, 0), 1).masters).toEqual(['fw1', 'fw2']);
  });
  it("uses the hosts' demotion and maintenance (the agent's comparison)", () => {
    const h = new Map([['fw1', { demote: 1, maintenance: false }]]);
    expect(predict(ms(0, 50, 100), 1, h)).toEqual({ masters: ['fw2'], successors: ['fw3'] });
    const m = new Map([['fw2', { demote: 0, maintenance: true }]]);
    expect(predict(ms(100, 0), 1, m).masters).toEqual(['fw1']);
  });
  it('master-down is 3 × advbase + advskew/256 s', () => {
    expect(masterDownMs(1, 0)).toBe(3000);
    expect(masterDownMs(1, 128)).toBe(3500);
    expect(masterDownMs(2, 254)).toBe(6992);
  });
  it('master-down at advbase 0 is 3 × advskew/256 s (OpenBSD), the agent engine\'s own figure', () => {
    expect(masterDownMs(0, 20)).toBe(234); // 234.375
    expect(masterDownMs(0, 10)).toBe(117); // 117.1875
    expect(masterDownMs(0, 254)).toBe(2977); // 2976.5625
    expect(masterDownMs(0, 20)).toBe(Math.round(engineMasterDownMs({ vhid: 1, advbase: 0, advskew: 20, demote: 0, preempt: false, maintenance: false })));
  });
});

const fleetWith = (groups: Array<{ segment: string; vhid: number }>): Fleet => ({
  at: 0,
  hosts: [],
  findings: [],
  groups: groups.map((g) => group([member('fw1')], { key: `${g.segment}#${g.vhid}`, segment: g.segment, vhid: g.vhid })),
});

describe('vhid suggestion and collisions', () => {
  const f = fleetWith([
    { segment: '198.18.0.0/24', vhid: 1 },
    { segment: '198.18.0.0/24', vhid: 2 },
    { segment: '198.18.1.0/24', vhid: 3 },
  ]);
  it('suggests the lowest vhid nobody uses on the segment', () => {
    expect(suggestVhid(f, ['198.18.0.0/24'])).toBe(3);
    expect(suggestVhid(f, ['198.18.1.0/24'])).toBe(1);
    expect(suggestVhid(f, [])).toBe(4);
    expect(suggestVhid(null, [])).toBe(1);
  });
  it('the group being edited does not count against its own vhid', () => {
    expect(suggestVhid(f, ['198.18.0.0/24'], '198.18.0.0/24#1')).toBe(1);
  });
  it('returns null when all 255 are taken', () => {
    const full = fleetWith(Array.from({ length: 255 }, (_, i) => ({ segment: 'lan', vhid: i + 1 })));
    expect(suggestVhid(full, ['lan'])).toBeNull();
  });
  it('a collision is another group with that vhid on the segment', () => {
    expect(vhidCollisions(f, 2, ['198.18.0.0/24'], null).map((g) => g.key)).toEqual(['198.18.0.0/24#2']);
    expect(vhidCollisions(f, 2, ['198.18.1.0/24'], null)).toEqual([]);
    expect(vhidCollisions(f, 2, ['198.18.0.0/24'], '198.18.0.0/24#2')).toEqual([]);
  });
  it('segments come from the addresses and from the groups members run on that interface', () => {
    expect(segmentOf('198.18.0.100/24')).toBe('198.18.0.0/24');
    expect(segmentOf('10.1.2.3/16')).toBe('10.1.0.0/16');
    expect(segmentOf('10.1.2.3')).toBeNull();
    expect(segmentOf('300.1.2.3/8')).toBeNull();
    const s: Pick<EditorState, 'addresses' | 'interface' | 'members' | 'editing'> = { addresses: '198.18.7.100/24', interface: 'eth0', members: ms(0), editing: null };
    expect(segmentsOf(s, labFleet()).sort()).toEqual(['198.18.0.0/24', '198.18.7.0/24']);
    expect(segmentsOf({ ...s, interface: 'eth1' }, labFleet())).toEqual(['198.18.7.0/24']);
  });
});

describe('passwords', () => {
  it('generates 19 bytes by default, from crypto.getRandomValues, different each time', () => {
    const a = generatePassword();
    const b = generatePassword();
    expect(new TextEncoder().encode(a).length).toBe(19);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{19}$/);
    expect(passwordProblem(a)).toBeNull();
  });
  it('uses the random source it is given, rejecting bytes that would bias the result', () => {
    let calls = 0;
    const src = (x: Uint8Array) => {
      calls++;
      x.fill(calls === 1 ? 255 : 0); // 255 is past the unbiased range: rejected
      return x;
    };
    expect(generatePassword(4, src)).toBe('AAAA');
    expect(calls).toBe(2);
  });
  it('refuses to generate more than 19 bytes', () => {
    expect(() => generatePassword(20)).toThrow(/1\.\.19/);
  });
  it('refuses a password over 19 bytes, saying why; counts bytes, not characters', () => {
    expect(passwordProblem('x'.repeat(19))).toBeNull();
    expect(passwordProblem('x'.repeat(20))).toMatch(/20 bytes is more than CARP's 19.*cut.*ucarp refuses/);
    expect(passwordProblem('é'.repeat(10))).toMatch(/^20 bytes/);
  });
});

describe('buildSpec', () => {
  const state = (over: Partial<EditorState> = {}): EditorState => ({
    ...newEditorState(null),
    vhid: 7,
    name: 'lan',
    addresses: '198.18.0.100/24, 198.18.0.101/24',
    password: 'secret',
    members: ms(0, 50, 100),
    ...over,
  });
  it('builds the GroupSpec the core takes, members in order with their advskews', () => {
    const r = buildSpec(state());
    expect(r).toEqual({
      ok: true,
      spec: expect.objectContaining({
        vhid: 7,
        name: 'lan',
        interface: 'eth0',
        addresses: ['198.18.0.100/24', '198.18.0.101/24'],
        password: 'secret',
        advbase: 1,
        preempt: true,
        members: [
          { host: 'fw1', advskew: 0, preempt: true },
          { host: 'fw2', advskew: 50, preempt: true },
          { host: 'fw3', advskew: 100, preempt: true },
        ],
      }),
    });
  });
  it('keeps a per-member interface only where it differs from the group', () => {
    const m = ms(0, 50);
    m[1] = { ...m[1], interface: 'eth1' };
    m[0] = { ...m[0], interface: 'eth0' };
    const r = buildSpec(state({ members: m }));
    expect(r.ok && r.spec.members).toEqual([
      { host: 'fw1', advskew: 0, preempt: true },
      { host: 'fw2', advskew: 50, preempt: true, interface: 'eth1' },
    ]);
  });
  it('advbase 0: refuses a member with advskew 0 saying why, accepts advskews 1..254', () => {
    const r = buildSpec(state({ advbase: 0, members: ms(0, 50) }));
    expect(r.ok ? [] : r.problems).toEqual(['members.0.advskew: advbase 0 needs advskew 1..254: the advert interval is advskew/256 s, and 0 would be no interval at all']);
    const ok = buildSpec(state({ advbase: 0, members: ms(10, 20) }));
    expect(ok.ok && ok.spec).toMatchObject({ advbase: 0, members: [{ host: 'fw1', advskew: 10 }, { host: 'fw2', advskew: 20 }] });
  });
  it('names the field of each problem', () => {
    const r = buildSpec(state({ vhid: 0, addresses: '198.18.0.300/24', password: 'x'.repeat(20), members: ms(0, 0) }));
    expect(r.ok).toBe(false);
    const p = r.ok ? [] : r.problems;
    expect(p.some((x) => x.startsWith('vhid:'))).toBe(true);
    expect(p.some((x) => x.startsWith('addresses.0:'))).toBe(true);
    expect(p.filter((x) => x.startsWith('password:'))).toHaveLength(1);
    expect(p.some((x) => /fw1 and fw2 have the same advskew/.test(x))).toBe(true);
  });
  it('wants members and a password', () => {
    const r = buildSpec(state({ members: [], password: '' }));
    expect(r.ok ? [] : r.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^members:/), expect.stringMatching(/^password: enter one/)]));
  });
  it('an existing group opens with its members in advskew order and no password', () => {
    const s = editorStateOf(labFleet().groups[0]);
    expect(s.editing).toBe('198.18.0.0/24#1');
    expect(hosts(s.members)).toEqual(['fw1', 'fw3', 'fw2']);
    expect(skews(s.members)).toEqual([0, 50, 100]);
    expect(s.password).toBe('');
    expect(s.addresses).toBe('198.18.0.100/24');
  });
});

describe('applyFailure', () => {
  const h = (host: string, outcome: string) => ({ host, action: 'update' as const, outcome: outcome as never });
  it('names the failed host and the ones rolled back', () => {
    const r = applyFailure({ ok: false, phase: 'apply', hosts: [h('fw2', 'rolled-back'), h('fw3', 'rolled-back'), h('fw1', 'failed')] });
    expect(r).toMatchObject({ failed: ['fw1'], rolledBack: ['fw2', 'fw3'], kept: [] });
    expect(r?.text).toBe('Apply failed on fw1. fw2, fw3 were rolled back to their previous config.');
  });
  it('warns about a host that kept the change, and says nothing changed when validation refused', () => {
    expect(applyFailure({ ok: false, phase: 'apply', hosts: [h('fw2', 'rollback-failed'), h('fw1', 'failed')] })?.text).toMatch(/WARNING: fw2 kept the change/);
    expect(applyFailure({ ok: false, phase: 'validate', hosts: [h('fw2', 'refused'), h('fw1', 'validated')] })?.text).toBe('Nothing was changed: fw2 refused it in validation.');
    expect(applyFailure({ ok: false, phase: 'plan', hosts: [h('fw2', 'skipped')] })?.text).toBe('Nothing was changed: the console sent nothing (the reason is below).');
    expect(applyFailure({ ok: true, phase: 'done', hosts: [] })).toBeNull();
  });
});
