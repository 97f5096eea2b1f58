// Lab test of the console core with real agents (lab 24): the hosts' interfaces and a keepalived VRRP router
// on the segment reach the fleet model through the agents' snapshots and 'foreign' events, merged per
// segment; the group editor's vhid suggestion then leaves that router id out.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Lab } from '../lab/index.js';
import type { Console } from '../../electron/core/console.js';
import { consoleLab, closeConsoleLab, type ConsoleLab } from './console-lab.js';
import { waitFor } from '../wait.js';
import { sendersBySegment } from '../../electron/core/fleet/foreign.js';
import { suggestVhid } from '../../renderer/src/logic/editor.js';
import { vrrpCollisions, vrrpWarning } from '../../renderer/src/logic/editor-segments.js';

const LAB_ID = 24;
const NET = `198.18.${LAB_ID}`;
const SEGMENT = `${NET}.0/24`;
let x: ConsoleLab | undefined;
let lab: Lab;
let c: Console;

const KEEPALIVED = `global_defs {
  router_id fw3
}
vrrp_instance V2 {
  state MASTER
  interface eth0
  virtual_router_id 2
  priority 200
  advert_int 1
  virtual_ipaddress {
    ${NET}.202/24 dev eth0
  }
}
`;

beforeAll(async () => {
  ({ lab, c } = x = await consoleLab(LAB_ID, { deploy: true }));
  // vhid 1 on fw1 and fw2: their agents listen on eth0 (the segment keepalived speaks on)
  const r = await c.applyGroup({
    vhid: 1,
    interface: 'eth0',
    addresses: [`${NET}.100/24`],
    password: 'lab-secret',
    members: [
      { host: 'fw1', advskew: 0, preempt: true },
      { host: 'fw2', advskew: 50, preempt: true },
    ],
  });
  expect(r.summary).toMatch(/^applied/);
}, 120_000);

afterAll(async () => {
  await lab?.exec('fw3', 'P=$(cat /run/foreign-ka.pid) || exit 0; kill -TERM $P; for i in $(seq 50); do kill -0 $P 2>/dev/null || exit 0; sleep 0.1; done').catch(() => undefined);
  await closeConsoleLab(x);
}, 60_000);

describe('foreign senders in the console’s fleet (lab)', () => {
  it('every host’s interfaces reach its HostView: eth0 on the lab segment, link up', async () => {
    await waitFor(() => c.fleetNow().hosts.every((h) => h.interfaces?.some((i) => i.name === 'eth0')), 15_000, 'interfaces reported');
    for (const h of c.fleetNow().hosts) {
      expect(h.interfaces?.find((i) => i.name === 'eth0'), h.host).toMatchObject({ segments: [SEGMENT], up: true });
    }
  });

  it('a keepalived router on fw3 (a fleet host without a group) is heard by fw1 and fw2 and shown on the segment', async () => {
    await lab.exec('fw3', 'cat > /etc/foreign-ka.conf', { input: KEEPALIVED });
    expect((await lab.exec('fw3', 'setsid keepalived -n -l -f /etc/foreign-ka.conf -p /run/foreign-ka.pid -r /run/foreign-ka-vrrp.pid >>/var/log/keepalived.log 2>&1 </dev/null &')).code).toBe(0);
    // the agents report it by a 'foreign' event (no resync): the fleet shows it within seconds of its first advert
    await waitFor(() => sendersBySegment(c.fleetNow().hosts).some((s) => s.kind === 'vrrp' && s.heardBy.length === 2), 20_000, 'VRRP router heard by fw1 and fw2');
    const s = sendersBySegment(c.fleetNow().hosts);
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ segment: SEGMENT, kind: 'vrrp', version: 2, id: 2, from: `${NET}.3` });
    expect(s[0].heardBy.map((h) => h.host).sort()).toEqual(['fw1', 'fw2']);
    // fw1 and fw2 hear each other's CARP adverts too: fleet agents, left out
    expect(c.fleetNow().hosts.flatMap((h) => h.foreign ?? []).some((f) => f.kind === 'carp')).toBe(false);
    // the editor: vhid 2 is not suggested on the segment, and warned about when chosen
    expect(suggestVhid(c.fleetNow(), [SEGMENT])).toBe(3);
    expect(vrrpCollisions(c.fleetNow(), 2, [SEGMENT]).map(vrrpWarning)[0]).toMatch(new RegExp(`^VRRP router 2 from ${NET.replace(/\./g, '\\.')}\\.3 uses the same virtual MAC 00:00:5e:00:01:02`));
  });
});
