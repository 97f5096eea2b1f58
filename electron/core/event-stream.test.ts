// One page's event stream: other events go at once; fleets are paced (the latest of a burst) and go as
// deltas that createClient turns back into whole 'fleet' events.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient } from './client.js';
import type { WireEvent } from './contract.js';
import type { ConsoleEvent } from './events.js';
import { eventStream } from './event-stream.js';
import type { Fleet, FleetGroup } from './fleet/types.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const group = (vhid: number, master: string) => ({ key: `s#${vhid}`, segment: 's', vhid, master, members: [] }) as unknown as FleetGroup;
const fleetEvent = (at: number, masters: string[]): ConsoleEvent => ({ type: 'fleet', at, fleet: { at, hosts: [], groups: masters.map((m, i) => group(i + 1, m)), findings: [] } });

describe('eventStream', () => {
  it('sends other events at once, and a burst of fleets as the first plus the latest, as deltas', () => {
    const sent: WireEvent[] = [];
    const s = eventStream((e) => sent.push(e), 40);
    s.push(fleetEvent(1, ['fw1', 'fw1']));
    s.push(fleetEvent(2, ['fw2', 'fw1']));
    s.push({ type: 'host', at: 3, host: 'fw1', status: 'stale' });
    s.push(fleetEvent(4, ['fw2', 'fw2']));
    expect(sent.map((e) => (e.type === 'fleet-update' ? `${e.update.kind}@${e.at}` : e.type))).toEqual(['full@1', 'host']);
    vi.advanceTimersByTime(40);
    const last = sent[2];
    expect(last).toMatchObject({ type: 'fleet-update', at: 4, update: { kind: 'delta', delta: { seq: 2, base: 1 } } });
    // both groups changed since the fleet this page holds (fleet 2 was never sent)
    expect(last.type === 'fleet-update' && last.update.kind === 'delta' && last.update.delta.groups.map((g) => g.master)).toEqual(['fw2', 'fw2']);
    s.push(fleetEvent(5, ['fw2', 'fw2']));
    s.stop();
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(3); // held fleet dropped on stop
  });

  it('through createClient a page sees whole fleets, unchanged groups the same objects', () => {
    let deliver: (e: WireEvent) => void = () => {};
    const client = createClient({ call: () => Promise.reject(new Error('no calls here')), subscribe: (l) => ((deliver = l), () => {}) });
    const s = eventStream((e) => deliver(JSON.parse(JSON.stringify(e)) as WireEvent), 0);
    const got: Fleet[] = [];
    client.subscribe((e) => e.type === 'fleet' && got.push(e.fleet));
    s.push(fleetEvent(1, ['fw1', 'fw1']));
    s.push(fleetEvent(2, ['fw1', 'fw2']));
    expect(got.map((f) => f.groups.map((g) => g.master))).toEqual([
      ['fw1', 'fw1'],
      ['fw1', 'fw2'],
    ]);
    expect(got[1].groups[0]).toBe(got[0].groups[0]);
    // a listener that joins late starts with the fleet as it is now
    const late: ConsoleEvent[] = [];
    client.subscribe((e) => late.push(e));
    expect(late).toEqual([{ type: 'fleet', at: 2, fleet: got[1] }]);
  });
});
