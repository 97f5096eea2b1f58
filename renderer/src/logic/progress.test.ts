// Unit tests of progress reduction: events → per-op, per-host progress and log.
import { describe, expect, it } from 'vitest';
import type { ConsoleEvent } from '../../../electron/core/events.js';
import { deployFraction, handoversOf, latestLine, MAX_OPS, reduceOps, type Ops, rebootLogOf } from './progress.js';

const fold = (events: ConsoleEvent[], ops: Ops = {}) => events.reduce(reduceOps, ops);

describe('reduceOps', () => {
  it('tracks a deploy per host and keeps other ops apart', () => {
    const ops = fold([
      { type: 'deploy', at: 1, op: 'd1', host: 'fw1', step: 'connect', progress: 0 },
      { type: 'deploy', at: 2, op: 'd1', host: 'fw2', step: 'upload', progress: 0.375, detail: '2.1 MB' },
      { type: 'deploy', at: 3, op: 'other', host: 'fw1', step: 'connect', progress: 0 },
      { type: 'deploy', at: 4, op: 'd1', host: 'fw1', step: 'done', progress: 1, detail: '0.1.0' },
    ]);
    expect(Object.keys(ops).sort()).toEqual(['d1', 'other']);
    expect(ops.d1.hosts.fw1).toMatchObject({ step: 'done', progress: 1, state: 'ok' });
    expect(ops.d1.hosts.fw2).toMatchObject({ step: 'upload', progress: 0.375, state: 'running', detail: '2.1 MB' });
    expect(ops.d1.log).toHaveLength(3);
  });
  it('a failed deploy keeps its bar where it stopped', () => {
    const ops = fold([
      { type: 'deploy', at: 1, op: 'd', host: 'fw1', step: 'verify', progress: 0.5 },
      { type: 'deploy', at: 2, op: 'd', host: 'fw1', step: 'failed', progress: 0, detail: 'node 16 is too old' },
    ]);
    expect(ops.d.hosts.fw1).toMatchObject({ state: 'failed', progress: 0.5, detail: 'node 16 is too old' });
  });
  it('ignores events without op and non-progress events', () => {
    const ops = {};
    expect(fold([{ type: 'deploy', at: 1, host: 'fw1', step: 'connect', progress: 0 }, { type: 'host', at: 1, host: 'fw1', status: 'live' }], ops)).toBe(ops);
  });
  it('collects maintenance handovers and finishes on done/stopped', () => {
    const ops = fold([
      { type: 'maintenance', at: 1, op: 'm', host: 'fw1', step: 'preflight', detail: 'fw1 masters vhid 1 (successor fw3)' },
      { type: 'maintenance', at: 2, op: 'm', host: 'fw1', step: 'handover', detail: 'waiting for a new master' },
      { type: 'maintenance', at: 3, op: 'm', host: 'fw1', step: 'handover', group: '198.18.0.0/24#1', detail: '198.18.0.0/24#1 now mastered by fw3' },
    ]);
    expect(ops.m.finished).toBe(false);
    expect(handoversOf(ops.m)).toEqual([{ group: '198.18.0.0/24#1', text: '198.18.0.0/24#1 now mastered by fw3', at: 3 }]);
    const done = reduceOps(ops, { type: 'maintenance', at: 4, op: 'm', host: 'fw1', step: 'stopped', detail: 'stopped at handover' });
    expect(done.m.finished).toBe(true);
    expect(latestLine(done.m)).toMatchObject({ step: 'stopped', state: 'failed' });
  });
  it("the reboot step's log leaves out the driver's preflight and maintenance-on lines", () => {
    const ops = fold([
      { type: 'maintenance', at: 1, op: 'r', host: 'fw1', step: 'preflight', detail: 'fw1 masters no group: nothing has to move' },
      { type: 'maintenance', at: 2, op: 'r', host: 'fw1', step: 'maintenance-on', detail: 'asking the agent' },
      { type: 'maintenance', at: 3, op: 'r', host: 'fw1', step: 'reboot', detail: 'rebooting fw1 over SSH' },
      { type: 'maintenance', at: 4, op: 'r', host: 'fw1', step: 'wait-host', detail: 'waiting' },
    ]);
    expect(rebootLogOf(ops.r).map((l) => l.step)).toEqual(['reboot', 'wait-host']);
    expect(rebootLogOf(undefined)).toEqual([]);
  });
  it('apply: per-host outcomes and the operation end', () => {
    const ops = fold([
      { type: 'apply', at: 1, op: 'a', step: 'validate', detail: 'dry run on fw1, fw2' },
      { type: 'apply', at: 2, op: 'a', host: 'fw1', step: 'applied', detail: 'revision 3' },
      { type: 'apply', at: 3, op: 'a', host: 'fw2', step: 'failed', detail: 'timeout' },
      { type: 'apply', at: 4, op: 'a', host: 'fw1', step: 'rolled-back' },
    ]);
    expect(ops.a.hosts.fw1.state).toBe('rolled-back');
    expect(ops.a.hosts.fw2.state).toBe('failed');
    expect(ops.a.finished).toBe(false);
    expect(reduceOps(ops, { type: 'apply', at: 5, op: 'a', step: 'done' }).a.finished).toBe(true);
  });
  it('keeps a bounded number of operations, dropping the oldest', () => {
    let ops: Ops = {};
    for (let i = 0; i < MAX_OPS + 5; i++) ops = reduceOps(ops, { type: 'deploy', at: i, op: `op${i}`, host: 'fw1', step: 'connect', progress: 0 });
    expect(Object.keys(ops)).toHaveLength(MAX_OPS);
    expect(ops.op0).toBeUndefined();
    expect(ops[`op${MAX_OPS + 4}`]).toBeDefined();
  });
  it('deployFraction follows DEPLOY_STEPS', () => {
    expect(deployFraction('connect')).toBe(0);
    expect(deployFraction('done')).toBe(1);
    expect(deployFraction('nonsense')).toBe(0);
  });
});
