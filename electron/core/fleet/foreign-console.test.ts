// Interfaces and foreign senders through the whole console core over fake agents (the real AgentLink and
// fleet rebuild; fake agents stand in for SSH and real agents, which lab 24 covers): the snapshot's
// interfaces, and a 'foreign' event reaching the fleet without a resync.
import { afterEach, describe, expect, it } from 'vitest';
import { createConsole, type Console } from '../console.js';
import { fakeFleet, type FakeTransport } from '../testing/fake-agent.js';
import { until } from '../testing/until.js';
import { sendersBySegment } from './foreign.js';

let cleanup: Array<() => void> = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

describe('foreign senders in the console over fake agents', () => {
  it('shows each host’s interfaces, and a VRRP router one agent reports, on its segment', async () => {
    const f = fakeFleet(2, 100);
    const byName = new Map<string, FakeTransport>(f.transports.map((t) => [t.host.name, t]));
    const c: Console = createConsole({ hosts: f.transports.map((t) => t.host), transport: (h) => byName.get(h.name)!, link: { staleMs: 300, backoffMinMs: 20, backoffMaxMs: 100 } });
    cleanup.push(() => c.close(), () => f.net.stop());
    await until(() => c.fleetNow().hosts.every((h) => h.status === 'live'));
    expect(c.fleetNow().hosts.map((h) => h.interfaces?.map((i) => `${i.name} ${i.addresses.join(',')}`))).toEqual([['eth0 198.18.0.1/24'], ['eth0 198.18.0.2/24']]);
    const snapshotsBefore = f.agents[0].received.filter((x) => x.cmd === 'status').length;
    f.agents[0].setForeign([
      { interface: 'eth0', segment: '198.18.0.0/24', kind: 'vrrp', version: 3, id: 7, from: '198.18.0.9', count: 1, firstAt: 1, lastAt: 2, priority: 100, intervalMs: 1000, addresses: ['198.18.0.207'] },
      // fw2 as fw1 hears it: a fleet agent, left out
      { interface: 'eth0', segment: '198.18.0.0/24', kind: 'carp', version: 2, id: 1, from: '198.18.0.2', count: 1, firstAt: 1, lastAt: 2, advbase: 1, advskew: 0, demote: 0, hmac: 'match', impl: 'ucarp' },
    ]);
    await until(() => sendersBySegment(c.fleetNow().hosts).length > 0);
    expect(sendersBySegment(c.fleetNow().hosts).map((s) => `${s.segment} ${s.kind}v${s.version} ${s.id} ${s.from} by ${s.heardBy.map((h) => h.host).join(',')}`)).toEqual(['198.18.0.0/24 vrrpv3 7 198.18.0.9 by fw1']);
    expect(f.agents[0].received.filter((x) => x.cmd === 'status').length).toBe(snapshotsBefore); // the event alone, no resync
  });
});
