// Unit tests of the fast-failover benchmark's pure parts: the protocol bounds it compares with (the
// agent's from the engine's own timers), the independent-loss model, the goal check and its report rows.
import { describe, it, expect } from 'vitest';
import { expectedFalseTakeovers, fastBoundMs, fastPeriodMs, lossesToTimeOut } from './fast-failover-impls.js';
import { fastFailoverRows, fastGoal, type FastFailoverImpl } from './fast-failover-report.js';
import { renderReport, type BenchResults } from './report.js';
import { summarise } from './stats.js';

const impl = (name: 'agent' | 'keepalived', wire: number[], error?: string): FastFailoverImpl => ({
  impl: name,
  periodMs: fastPeriodMs(name, 'master'),
  boundMs: fastBoundMs(name),
  formula: '',
  reps: [],
  wire: summarise(wire),
  own: summarise(wire),
  outage: summarise(wire),
  deltaMedianMs: summarise(wire).median - fastBoundMs(name),
  ...(error ? { error } : {}),
});

describe('fast-failover figures', () => {
  it('bounds: agent 3 x 20/256 s at advbase 0, keepalived VRRPv3 3 x 0.1 + (256-100) x 0.1/256 s', () => {
    expect(fastPeriodMs('agent', 'master')).toBe(39.0625);
    expect(fastBoundMs('agent')).toBe(234.375);
    expect(fastPeriodMs('keepalived', 'master')).toBe(100);
    expect(fastBoundMs('keepalived')).toBe(360.9375);
  });

  it('losses in a row that time the backup out: 5 for the agent (the 6th advert is due on the deadline), 3 for keepalived', () => {
    expect(lossesToTimeOut(39.0625, 234.375)).toBe(5);
    expect(lossesToTimeOut(100, 360.9375)).toBe(3);
    expect(expectedFalseTakeovers('agent', 30, 60)).toBeCloseTo(1536 * 0.7 * 0.3 ** 5, 6);
    expect(expectedFalseTakeovers('keepalived', 30, 60)).toBeCloseTo(600 * 0.7 * 0.3 ** 3, 6);
  });

  it('the goal: within 20 ms of the bound and below keepalived; unknown without both figures', () => {
    expect(fastGoal([impl('agent', [240, 250, 245]), impl('keepalived', [370, 380])])).toBe(true);
    expect(fastGoal([impl('agent', [260]), impl('keepalived', [370])])).toBe(false); // 25.6 ms over the bound
    expect(fastGoal([impl('agent', [240]), impl('keepalived', [230])])).toBe(false);
    expect(fastGoal([impl('agent', [240]), impl('keepalived', [], 'boom')])).toBeNull();
  });

  it('prints its rows in the report, failures named', () => {
    const r: BenchResults = {
      startedAt: '2026-01-01T00:00:00.000Z',
      machine: { cpus: 2, model: 'x', node: 'v20', kernel: '6' },
      options: { only: ['fast-failover'], reps: 1, impls: ['agent', 'keepalived'] },
      errors: {},
      fastFailover: {
        failover: [impl('agent', [241]), impl('keepalived', [], 'keepalived would not start')],
        loss: [{ impl: 'agent', seconds: 60, percent: 30, falseTakeovers: 2, ownTakeovers: 2, masterAdverts: 1500, backupAdverts: 3, lossesInARow: 5, expected: 2.6 }],
        goalMet: null,
      },
    };
    const text = renderReport(r);
    expect(text).toMatch(/fast failover \(wire, loss\)\s+agent 241 ms \(bound 234 ms, 2 false at 30 %\)\s+keepalived FAILED/);
    expect(text).toContain('FAILED: keepalived would not start');
    expect(fastFailoverRows(r.fastFailover!).find((x) => x[1] === 'agent' && x[0].startsWith('fast failover, 30 %'))).toContain('2 false takeover(s)');
  });
});
