// Unit tests of the store: fleets render at most every FLEET_RENDER_MS, everything else at once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { labFleet } from './logic/testing/fleet-fixture.js';
import { FLEET_RENDER_MS, Store } from './store.js';

describe('Store', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('coalesces fleet snapshots, delivers other changes at once', () => {
    const s = new Store({ status: 'open', attempt: 0 });
    const calls: number[] = [];
    s.subscribe(() => calls.push(Date.now()));
    const f = labFleet();
    s.event({ type: 'fleet', at: 1, fleet: f });
    expect(calls).toHaveLength(1);
    for (let i = 0; i < 10; i++) s.event({ type: 'fleet', at: 2 + i, fleet: { ...f, at: 2 + i } });
    expect(calls).toHaveLength(1);
    expect(s.getState().console.fleet?.at).toBe(11);
    vi.advanceTimersByTime(FLEET_RENDER_MS);
    expect(calls).toHaveLength(2);
    s.event({ type: 'host', at: 3, host: 'fw1', status: 'stale' });
    expect(calls).toHaveLength(3);
  });

  it('keeps a maintenance session per host', () => {
    const s = new Store({ status: 'open', attempt: 0 });
    expect(s.session('fw1').enter.status).toBe('idle');
    s.updateSession('fw1', (x) => ({ ...x, force: true }));
    expect(s.session('fw1').force).toBe(true);
    expect(s.session('fw2').force).toBe(false);
  });
});
