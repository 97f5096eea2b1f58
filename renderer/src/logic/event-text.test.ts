// Unit tests of event lines for the host view.
import { describe, expect, it } from 'vitest';
import type { ConsoleEvent } from '../../../electron/core/events.js';
import { describeEvent, hostEventLines } from './event-text.js';

describe('describeEvent', () => {
  it('an agent state change with its reason', () => {
    const e: ConsoleEvent = {
      type: 'agent',
      at: 5,
      receivedAt: 5,
      host: 'fw3',
      event: { kind: 'state', at: 5, vhid: 1, interface: 'eth0', from: 'BACKUP', to: 'MASTER', reason: 'master bowed out (advbase 255 advskew 255)' },
    };
    expect(describeEvent(e)).toMatchObject({ host: 'fw3', text: 'vhid 1 on eth0: BACKUP → MASTER — master bowed out (advbase 255 advskew 255)', tone: 'ok' });
  });
  it('a stale host says UNKNOWN', () => {
    expect(describeEvent({ type: 'host', at: 1, host: 'fw2', status: 'stale' })!.text).toBe('fw2 is UNKNOWN (silent)');
  });
  it('maintenance and deploy steps', () => {
    expect(describeEvent({ type: 'maintenance', at: 1, host: 'fw1', step: 'stopped', detail: 'stopped at handover' })).toMatchObject({ text: 'maintenance stopped: stopped at handover', tone: 'bad' });
    expect(describeEvent({ type: 'deploy', at: 1, host: 'fw1', step: 'done', progress: 1 })).toMatchObject({ text: 'deploy done', tone: 'ok' });
  });
  it('fleet events are not lines', () => {
    expect(describeEvent({ type: 'fleet', at: 1, fleet: { at: 1, hosts: [], groups: [], findings: [] } })).toBeNull();
  });
});

describe('hostEventLines', () => {
  it('only that host, newest first, limited', () => {
    const evs: ConsoleEvent[] = [
      { type: 'host', at: 1, host: 'fw1', status: 'live' },
      { type: 'host', at: 2, host: 'fw2', status: 'live' },
      { type: 'error', at: 3, code: 'x', message: 'fleet-wide' },
      { type: 'host', at: 4, host: 'fw1', status: 'unreachable', error: 'timeout' },
    ];
    expect(hostEventLines(evs, 'fw1').map((l) => l.at)).toEqual([4, 1]);
    const late: ConsoleEvent = { type: 'host', at: 0, host: 'fw1', status: 'stale' };
    expect(hostEventLines([...evs, late], 'fw1').map((l) => l.at)).toEqual([4, 1, 0]);
    expect(hostEventLines(evs, 'fw1', 1)).toHaveLength(1);
  });
});
