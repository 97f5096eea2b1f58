// Unit tests of the report (summary line per figure, failures shown, ratios) and of the protocol
// bounds the failover figures are compared with. Pure: no lab.
import { describe, it, expect } from 'vitest';
import { renderReport, renderSummary, type BenchResults } from './report.js';
import { failoverBoundMs, priorityOf } from './impls.js';
import { summarise } from './stats.js';
import type { FailoverImpl } from './failover.js';

function failover(impl: 'agent' | 'ucarp' | 'keepalived', ms: number[], error?: string): FailoverImpl {
  const bound = failoverBoundMs(impl);
  return {
    impl,
    boundMs: bound,
    formula: '',
    reps: [],
    afterLastAdvert: summarise(ms),
    cutToMaster: summarise(ms),
    deltaMedianMs: summarise(ms.map((x) => x - bound)).median,
    deltaWorstMs: Math.max(...ms.map((x) => x - bound)),
    gap: summarise(ms),
    ...(error ? { error } : {}),
  };
}

const base: BenchResults = {
  startedAt: '2026-01-01T00:00:00.000Z',
  machine: { cpus: 2, model: 'x', node: 'v20', kernel: '6' },
  options: { only: ['failover'], reps: 3, impls: ['agent', 'ucarp', 'keepalived'] },
  errors: {},
};

describe('bench bounds', () => {
  it('CARP bound is 3 x advbase + advskew/256, VRRP bound 3 x interval + (256 - priority)/256', () => {
    expect(failoverBoundMs('agent')).toBe(3390.625);
    expect(failoverBoundMs('ucarp')).toBe(3390.625);
    expect(failoverBoundMs('keepalived')).toBe(3609.375);
    expect(priorityOf('keepalived', 'master')).toBeGreaterThan(priorityOf('keepalived', 'backup'));
    expect(priorityOf('agent', 'master')).toBeLessThan(priorityOf('agent', 'backup'));
  });
});

describe('bench report', () => {
  it('puts every implementation of a figure on one line with the bound, delta and ratio to the agent', () => {
    const r: BenchResults = { ...base, failover: [failover('agent', [3391, 3395, 3410]), failover('ucarp', [4200, 4300, 4600]), failover('keepalived', [3612, 3615, 3620])] };
    const line = renderSummary(r).split('\n').find((l) => l.startsWith('failover'))!;
    expect(line).toMatch(/agent 3\.40 s \(bound 3\.39 s, \+4 ms\)/);
    expect(line).toMatch(/ucarp 4\.30 s \(bound 3\.39 s, \+909 ms, 1\.27x\)/);
    expect(line).toMatch(/keepalived 3\.62 s \(bound 3\.61 s, \+6 ms, 1\.06x\)/);
  });

  it('shows a failed implementation and a failed benchmark instead of dropping them', () => {
    const r: BenchResults = { ...base, failover: [failover('agent', [3391]), failover('ucarp', [], 'ucarp not installed')], errors: { console: 'no agent bundle' } };
    const text = renderReport(r);
    expect(text).toMatch(/ucarp FAILED/);
    expect(text).toMatch(/FAILED: ucarp not installed/);
    expect(text).toMatch(/console\s+FAILED\s+no agent bundle/);
  });
});
