// Unit tests of the renderer's state reducer: latest fleet + clock offset, bounded history, ops.
import { describe, expect, it } from 'vitest';
import { initialState, MAX_EVENTS, reduceEvent } from './state.js';
import { labFleet } from './testing/fleet-fixture.js';

describe('reduceEvent', () => {
  it('keeps the latest fleet and the offset of the console clock', () => {
    const f = labFleet();
    const s = reduceEvent(initialState, { type: 'fleet', at: f.at, fleet: f }, f.at + 2500);
    expect(s.fleet).toBe(f);
    expect(s.offsetMs).toBe(2500);
    expect(s.events).toHaveLength(0);
  });
  it('keeps a bounded history without agent group churn', () => {
    let s = initialState;
    for (let i = 0; i < MAX_EVENTS + 20; i++) s = reduceEvent(s, { type: 'host', at: i, host: 'fw1', status: 'live' }, i);
    expect(s.events).toHaveLength(MAX_EVENTS);
    expect(s.events[0].at).toBe(20);
    const before = s;
    const g = { type: 'agent' as const, at: 1, receivedAt: 1, host: 'fw1', event: { kind: 'group' as const, at: 1, group: {} as never } };
    expect(reduceEvent(before, g, 1)).toBe(before);
  });
  it('feeds progress events to the ops', () => {
    const s = reduceEvent(initialState, { type: 'maintenance', at: 1, op: 'm1', host: 'fw1', step: 'preflight' }, 1);
    expect(s.ops.m1.kind).toBe('maintenance');
    expect(s.events).toHaveLength(1);
  });
});
