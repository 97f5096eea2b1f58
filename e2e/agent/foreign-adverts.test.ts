// The agent reports what else speaks protocol 112 on its segment (lab 23, 3 hosts): keepalived's VRRPv2 and
// VRRPv3 adverts with their router ids (not counted as CARP drops), and a ucarp peer of its own vhid told by
// its HMAC (the group has two addresses, ucarp hashes one); and the host's interfaces.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lab } from '../lab/index.js';
import { ensureBuilt, startAgent, stopAgent, status, sh, waitFor } from './helpers.js';
import type { ForeignAdvert, Snapshot } from '../../agent/control/messages.js';

const ID = 23;
const NET = `198.18.${ID}`;
const PASSWORD = 'foreign-pw';

let lab: Lab;

const KEEPALIVED = `global_defs {
  router_id fw2
}
vrrp_instance V2 {
  state MASTER
  interface eth0
  virtual_router_id 7
  priority 200
  advert_int 1
  virtual_ipaddress {
    ${NET}.207/24 dev eth0
  }
}
vrrp_instance V3 {
  version 3
  state MASTER
  interface eth0
  virtual_router_id 8
  priority 150
  advert_int 1
  virtual_ipaddress {
    ${NET}.208/24 dev eth0
  }
}
`;

async function startKeepalived(): Promise<void> {
  await lab.exec('fw2', 'cat > /etc/foreign-ka.conf', { input: KEEPALIVED });
  await sh(lab, 'fw2', 'setsid keepalived -n -l -f /etc/foreign-ka.conf -p /run/foreign-ka.pid -r /run/foreign-ka-vrrp.pid >>/var/log/keepalived.log 2>&1 </dev/null &');
  await waitFor(async () => (await lab.exec('fw2', 'test -s /run/foreign-ka-vrrp.pid')).code === 0, 10_000, 'fw2: keepalived VRRP child');
}
async function stopKeepalived(): Promise<void> {
  await lab.exec('fw2', 'P=$(cat /run/foreign-ka.pid) || exit 0; kill -TERM $P; for i in $(seq 50); do kill -0 $P 2>/dev/null || exit 0; sleep 0.1; done');
}
async function startUcarp(vhid = 9, vip = `${NET}.100`): Promise<void> {
  await lab.exec('fw3', 'cat > /tmp/up.sh && chmod +x /tmp/up.sh', { input: '#!/bin/sh\nip addr add "$2"/24 dev "$1"\n' });
  await lab.exec('fw3', 'cat > /tmp/down.sh && chmod +x /tmp/down.sh', { input: '#!/bin/sh\nip addr del "$2"/24 dev "$1" 2>/dev/null; true\n' });
  await sh(lab, 'fw3', `setsid ucarp -i eth0 -s ${NET}.3 -v ${vhid} -p ${PASSWORD} -a ${vip} -k 0 -P -z -u /tmp/up.sh -d /tmp/down.sh >>/var/log/ucarp.log 2>&1 </dev/null & echo $! >> /run/ucarp-foreign.pid`);
}
async function stopUcarp(): Promise<void> {
  await lab.exec('fw3', 'for P in $(cat /run/ucarp-foreign.pid); do kill -TERM $P; for i in $(seq 50); do kill -0 $P 2>/dev/null || break; sleep 0.1; done; done; rm -f /run/ucarp-foreign.pid');
}

const find = (s: Snapshot, kind: ForeignAdvert['kind'], id: number) => (s.foreign ?? []).find((f) => f.kind === kind && f.id === id);

beforeAll(async () => {
  ensureBuilt();
  await Lab.down(ID).catch(() => {});
  lab = await Lab.up({ id: ID, hosts: 3 });
  // vhid 9 with two addresses: a ucarp peer (one address hashed) and this agent reject each other's adverts
  // vhid 10 with one address: ucarp interoperates, and is told by its wire signature instead
  await startAgent(lab, 'fw1', {
    groups: [
      { vhid: 9, interface: 'eth0', addresses: [`${NET}.100/24`, `${NET}.101/24`], password: PASSWORD, advskew: 100, preempt: true },
      { vhid: 10, interface: 'eth0', addresses: [`${NET}.110/24`], password: PASSWORD, advskew: 100, preempt: true },
    ],
  });
}, 60_000);
afterAll(async () => {
  await stopUcarp().catch(() => {});
  await stopKeepalived().catch(() => {});
  await stopAgent(lab, 'fw1').catch(() => {});
  await lab?.down({ purge: true });
}, 60_000);

describe('foreign protocol-112 senders', () => {
  it('reports the host’s interfaces: eth0 with its own address (not the VIPs), its segment, link up, MAC', async () => {
    const s = await status(lab, 'fw1');
    const eth0 = s.interfaces?.find((i) => i.name === 'eth0');
    expect(eth0).toMatchObject({ addresses: [`${NET}.1/24`], segments: [`${NET}.0/24`], up: true });
    expect(eth0?.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(s.interfaces?.some((i) => i.name === 'lo')).toBe(false);
  });

  it('reports keepalived’s VRRPv2 and VRRPv3 routers with their router ids, and counts them as no CARP drop', async () => {
    await startKeepalived();
    let s: Snapshot | undefined;
    await waitFor(async () => {
      s = await status(lab, 'fw1');
      return (find(s, 'vrrp', 7)?.count ?? 0) >= 2 && (find(s, 'vrrp', 8)?.count ?? 0) >= 2;
    }, 20_000, 'fw1 reports VRRP routers 7 and 8');
    expect(find(s!, 'vrrp', 7)).toMatchObject({ interface: 'eth0', segment: `${NET}.0/24`, version: 2, from: `${NET}.2`, priority: 200, intervalMs: 1000, addresses: [`${NET}.207`] });
    expect(find(s!, 'vrrp', 8)).toMatchObject({ version: 3, from: `${NET}.2`, priority: 150, intervalMs: 1000, addresses: [`${NET}.208`] });
    // before this change a VRRPv2 advert was a 'short' drop and VRRPv3 a 'version' drop
    const drops = { ...s!.unmatchedDrops, ...(s!.groups[0]?.drops ?? {}) };
    expect(drops.short ?? 0).toBe(0);
    expect(drops.version ?? 0).toBe(0);
  });

  it('reports a ucarp peer of its vhid as ucarp: its HMAC covers one of the group’s two addresses', async () => {
    await startUcarp();
    let s: Snapshot | undefined;
    await waitFor(async () => {
      s = await status(lab, 'fw1');
      return find(s, 'carp', 9) !== undefined;
    }, 20_000, 'fw1 reports the ucarp peer of vhid 9');
    expect(find(s!, 'carp', 9)).toMatchObject({ from: `${NET}.3`, advbase: 1, advskew: 0, demote: 0, hmac: 'one-address', impl: 'ucarp' });
    expect(find(s!, 'carp', 9)?.evidence).toContain(`${NET}.100`);
    // the agent itself dropped those adverts (they fail its HMAC over both addresses)
    expect(s!.groups.find((g) => g.vhid === 9)?.drops.hmac ?? 0).toBeGreaterThan(0);
  });

  it('with one address ucarp and the agent agree (HMAC matches); ucarp is told by TOS 0x10, demote 0 and a counter that changes', async () => {
    await startUcarp(10, `${NET}.110`);
    let s: Snapshot | undefined;
    // ucarp (advskew 0, -P) preempts the agent (advskew 100) and advertises; its second advert shows its counter moving
    await waitFor(async () => {
      s = await status(lab, 'fw1');
      return find(s, 'carp', 10)?.impl === 'ucarp';
    }, 20_000, 'fw1 reports the ucarp peer of vhid 10 as ucarp');
    expect(find(s!, 'carp', 10)).toMatchObject({ from: `${NET}.3`, advskew: 0, hmac: 'match', impl: 'ucarp' });
    expect(find(s!, 'carp', 10)?.evidence).toMatch(/TOS 0x10/);
    expect(s!.groups.find((g) => g.vhid === 10)?.state).toBe('BACKUP');
  });
});
