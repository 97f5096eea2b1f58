// carpctl shows a host's link demotion (OpenBSD's carpdev demotion) apart from its operator demotion.
import { describe, expect, it } from 'vitest';
import { formatEvent, formatHosts } from './format.js';
import type { Fleet } from '../core/fleet/types.js';
import type { ConsoleEvent } from '../core/events.js';

describe('carpctl and link demotion', () => {
  it('hosts: "link demotion N (down: …)" after the operator demotion, only when raised', () => {
    const f = { at: 0, groups: [], findings: [], hosts: [
      { host: 'fw1', status: 'live', lastSeen: 0, groups: 2, demote: 0, linkDemotion: { demote: 1, down: ['eth1'] } },
      { host: 'fw2', status: 'live', lastSeen: 0, groups: 2, demote: 0, linkDemotion: { demote: 0, down: [] } },
    ] } as unknown as Fleet;
    const lines = formatHosts(f).split('\n');
    expect(lines[0]).toMatch(/ demote 0 {2}link demotion 1 \(down: eth1\)/);
    expect(lines[1]).not.toMatch(/link demotion/);
  });

  it('events: a demotion event carries the link demotion', () => {
    const e = { type: 'agent', at: 0, host: 'fw1', event: { kind: 'demotion', at: 0, demote: 0, maintenance: false, linkDemotion: { demote: 1, down: ['eth1'] } } } as unknown as ConsoleEvent;
    expect(formatEvent(e)).toMatch(/demote 0 link demotion 1 \(down: eth1\)/);
  });
});
