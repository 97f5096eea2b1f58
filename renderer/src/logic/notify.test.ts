// Unit tests of the notification logic: what triggers one, per-group mutes, and the coalescing window (fake clock).
import { describe, expect, it } from 'vitest';
import type { Fleet, Finding } from '../../../electron/core/fleet/types.js';
import { labFleet } from './testing/fleet-fixture.js';
import { Coalescer, diffFleets, noticeOf, NOTIFY_WINDOW_MS, parseMuted, serializeMuted, unmuted, type NotifyItem } from './notify.js';

const KEY = '198.18.0.0/24#1';
const noMaster = (): Fleet => labFleet({ fw1: { state: 'BACKUP' } });
const fw3Master = (): Fleet => labFleet({ fw1: { state: 'BACKUP' }, fw3: { state: 'MASTER' } });
const withFinding = (f: Fleet, kind: Finding['kind'], severity: Finding['severity'] = 'error'): Fleet => ({
  ...f,
  findings: [...f.findings, { kind, severity, group: KEY, hosts: ['fw1'], message: `${kind} on vhid 1` }],
});

describe('diffFleets: what triggers a notification', () => {
  it('nothing on the first fleet, nor when nothing changed', () => {
    expect(diffFleets(null, labFleet())).toEqual([]);
    expect(diffFleets(labFleet(), labFleet())).toEqual([]);
  });

  it('a master change names the new and the old master', () => {
    expect(diffFleets(labFleet(), fw3Master())).toEqual([
      { group: KEY, kind: 'master-changed', where: 'vhid 1 · lan-gateway (198.18.0.0/24)', what: 'fw3 is MASTER (was fw1)', from: ['fw1'], to: ['fw3'] },
    ]);
  });

  it('losing the master, and a split brain, are master-lost; getting one back is a change', () => {
    expect(diffFleets(labFleet(), noMaster())).toMatchObject([{ kind: 'master-lost', what: 'no master (was fw1)' }]);
    expect(diffFleets(labFleet(), labFleet({ fw3: { state: 'MASTER' } }))).toMatchObject([{ kind: 'master-lost', what: 'split brain: fw1 and fw3 are all MASTER (was fw1)' }]);
    expect(diffFleets(noMaster(), fw3Master())).toMatchObject([{ kind: 'master-changed', what: 'fw3 is MASTER (was none)' }]);
  });

  it('a new error finding of a group triggers; a warning, or an error already there, does not', () => {
    const ok = labFleet();
    expect(diffFleets(ok, withFinding(ok, 'mismatch:password'))).toMatchObject([{ kind: 'error-finding', what: 'mismatch:password on vhid 1' }]);
    expect(diffFleets(ok, withFinding(ok, 'single-member', 'warning'))).toEqual([]);
    expect(diffFleets(withFinding(ok, 'mismatch:password'), withFinding(ok, 'mismatch:password'))).toEqual([]);
  });

  it('the no-master finding is not said twice next to the master loss', () => {
    expect(diffFleets(labFleet(), withFinding(noMaster(), 'no-master')).map((i) => i.kind)).toEqual(['master-lost']);
  });

  it('a master heard for the first time (the console connecting to it) is not a change; one heard before is', () => {
    const fw1Missing: Fleet = { ...labFleet(), groups: labFleet().groups.map((g) => ({ ...g, master: null, masters: [], members: g.members.filter((m) => m.host !== 'fw1') })) };
    expect(diffFleets(fw1Missing, labFleet())).toEqual([]);
    const never = labFleet({ fw1: { state: 'MASTER', live: false, lastSeen: 0 } });
    expect(never.groups[0].master).toBeNull();
    expect(diffFleets(never, labFleet())).toEqual([]);
    const lost = labFleet({ fw1: { state: 'MASTER', live: false, lastSeen: 1_000 } });
    expect(diffFleets(lost, labFleet())).toMatchObject([{ kind: 'master-changed', what: 'fw1 is MASTER (was none)' }]);
  });

  it('a group that appears or vanishes says nothing', () => {
    const empty: Fleet = { ...labFleet(), groups: [] };
    expect(diffFleets(empty, labFleet())).toEqual([]);
    expect(diffFleets(labFleet(), empty)).toEqual([]);
  });
});

describe('mute per group', () => {
  it('drops the items of muted groups only', () => {
    const items: NotifyItem[] = [
      { group: 'a#1', kind: 'master-lost', where: 'a', what: 'x' },
      { group: 'b#2', kind: 'master-changed', where: 'b', what: 'y' },
    ];
    expect(unmuted(items, new Set(['a#1'])).map((i) => i.group)).toEqual(['b#2']);
    expect(unmuted(items, new Set())).toHaveLength(2);
  });

  it('round-trips through localStorage text, and reads garbage as nothing muted', () => {
    expect([...parseMuted(serializeMuted(new Set(['b#2', 'a#1'])))]).toEqual(['a#1', 'b#2']);
    expect(parseMuted(null).size).toBe(0);
    expect(parseMuted('{not json').size).toBe(0);
    expect(parseMuted('{"a":1}').size).toBe(0);
    expect([...parseMuted('["a#1", 7]')]).toEqual(['a#1']);
  });
});

describe('Coalescer: no notification storm', () => {
  const item = (what: string, group = KEY): NotifyItem => ({ group, kind: 'master-changed', where: 'vhid 1 · lan-gateway (198.18.0.0/24)', what });

  it('changes within the window become one notice, when the window closes', () => {
    const c = new Coalescer();
    let t = 10_000;
    expect(c.dueAt()).toBeNull();
    c.add([item('no master (was fw1)')], t);
    expect(c.dueAt()).toBe(t + NOTIFY_WINDOW_MS);
    t += 700;
    c.add([item('fw3 is MASTER (was none)')], t);
    expect(c.take(t)).toBeNull();
    t = 10_000 + NOTIFY_WINDOW_MS - 1;
    expect(c.take(t)).toBeNull();
    const n = c.take(t + 1)!;
    expect(n.title).toBe('CARP · vhid 1 · lan-gateway (198.18.0.0/24)');
    expect(n.body).toBe('no master (was fw1)\nfw3 is MASTER (was none)');
    expect(c.take(t + 5000)).toBeNull();
    expect(c.dueAt()).toBeNull();
  });

  it('a steady stream gives at most one notice per window', () => {
    const c = new Coalescer();
    const notices = [];
    // 50 changes per second for 10 s.
    for (let t = 0; t < 10_000; t += 20) {
      const n = c.take(t);
      if (n) notices.push(n);
      c.add([item(`change at ${t}`)], t);
    }
    expect(notices).toHaveLength(3); // windows closing at 3 s, 6 s, 9 s
    expect(notices[0].items).toHaveLength(150);
    expect(notices[0].body.split('\n')).toHaveLength(5);
    expect(notices[0].body).toMatch(/and 146 more$/);
  });

  it('changes further apart than the window are separate notices; empty adds open nothing', () => {
    const c = new Coalescer();
    c.add([], 0);
    expect(c.dueAt()).toBeNull();
    c.add([item('fw3 is MASTER (was fw1)')], 0);
    expect(c.take(NOTIFY_WINDOW_MS)?.items).toHaveLength(1);
    c.add([item('fw1 is MASTER (was fw3)')], 20_000);
    expect(c.take(20_000 + NOTIFY_WINDOW_MS)?.body).toBe('fw1 is MASTER (was fw3)');
  });

  it('the changes of one group within a window read as their net effect, with the steps in between', () => {
    const split = labFleet({ fw3: { state: 'MASTER' } });
    // What the lab showed when fw1's agent froze: fw3 took over a moment before fw1 went stale.
    const steps = [...diffFleets(labFleet(), split), ...diffFleets(split, labFleet({ fw1: { live: false, hostStatus: 'stale' }, fw3: { state: 'MASTER' } }))];
    expect(steps.map((i) => i.what)).toEqual(['split brain: fw1 and fw3 are all MASTER (was fw1)', 'fw3 is MASTER (was fw1 and fw3)']);
    const n = noticeOf(steps);
    expect(n.body).toBe('fw3 is MASTER (was fw1; briefly split brain)');
    expect(n.items).toHaveLength(2);
    // Lost and back: said as such.
    const blip = [...diffFleets(labFleet(), noMaster()), ...diffFleets(noMaster(), labFleet())];
    expect(noticeOf(blip).body).toBe('fw1 is MASTER again (was fw1; briefly no master)');
    // Three steps, ending with nobody.
    const worse = [...diffFleets(labFleet(), fw3Master()), ...diffFleets(fw3Master(), noMaster())];
    expect(noticeOf(worse).body).toBe('no master (was fw1; briefly fw3 MASTER)');
  });

  it('several groups in one window: titled by the count, each line names its group', () => {
    const n = noticeOf([item('fw3 is MASTER (was fw1)'), { group: 'x#2', kind: 'master-lost', where: 'vhid 2 (x)', what: 'no master (was fw1)' }]);
    expect(n.title).toBe('CARP · 2 groups changed');
    expect(n.body).toBe('vhid 1 · lan-gateway (198.18.0.0/24): fw3 is MASTER (was fw1)\nvhid 2 (x): no master (was fw1)');
  });
});
