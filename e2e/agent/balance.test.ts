// arpbalance in the lab (id 74), OpenBSD's article setup: two firewalls, two groups sharing one address,
// each skewed toward its own host (fw1: vhid 1 advskew 0, vhid 2 advskew 100; fw2 the reverse), preempt,
// arpbalance on both. 64 clients in the client namespace, each with its own interface and ARP cache, probe
// the shared address over UDP; a responder on each firewall answers with its name. Proven: every client is
// served by the host the documented hash predicts (the split is printed); a cut host's clients move to the
// other within the failover bound and come back on heal (preempt); maintenance moves them with at most
// one lost probe per client at 10 probes/s; the kernel answers no ARP for the shared address.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Snapshot } from '../../agent/control/messages.js';
import { balancedVhid } from '../../agent/protocol/balance.js';
import { advertPeriodMs, masterDownTimeoutMs } from '../../agent/engine/timers.js';
import { Lab } from '../lab/index.js';
import { addClients, firstAnswerFrom, lostIn, servedBy, startBalanceProbe, startResponder, type BalanceClient, type ClientProbe, type Responder } from '../lab/balance.js';
import { ensureBuilt, startAgent, stopAgent, status, waitFor, agentCli, sh } from './helpers.js';
import { sleep } from '../wait.js';

const ID = 74;
const VIP = `198.18.${ID}.100`;
const PORT = 7007;
const RATE = 10;
const HOSTS = ['fw1', 'fw2'] as const;
type Host = (typeof HOSTS)[number];
const SKEW: Record<Host, Record<number, number>> = { fw1: { 1: 0, 2: 100 }, fw2: { 1: 100, 2: 0 } };
const config = (h: Host) => ({
  arpbalance: true,
  preempt: true,
  groups: [1, 2].map((vhid) => ({ vhid, name: `lb${vhid}`, interface: 'eth0', addresses: [`${VIP}/24`], password: 'balance-pass', advbase: 1, advskew: SKEW[h][vhid] })),
});
/** Who masters each vhid when both hosts are up: the host it is skewed toward. */
const OWNER: Record<number, Host> = { 1: 'fw1', 2: 'fw2' };
/** Failover by silence: the last advert up to one period before the cut, then the backup's master-down time, plus scheduling slack. */
const FAILOVER_BOUND_MS = advertPeriodMs(1, 0) + masterDownTimeoutMs(1, 100) + 1500;

let lab: Lab;
let clients: BalanceClient[];
const responders: Responder[] = [];

const states = (s: Snapshot) => s.groups.map((g) => `${g.vhid}:${g.state}`).sort().join(' ');
async function baseline(): Promise<void> {
  await waitFor(async () => {
    const [a, b] = await Promise.all([status(lab, 'fw1'), status(lab, 'fw2')]);
    return states(a) === '1:MASTER 2:BACKUP' && states(b) === '1:BACKUP 2:MASTER' && !a.maintenance && !b.maintenance;
  }, 20_000, 'fw1 MASTER of vhid 1, fw2 MASTER of vhid 2');
}

/** The host the hash and the current masters say should serve `client`. */
const expected = (client: string, owner: Record<number, Host>) => owner[balancedVhid(client, [1, 2])];

/** Probes for `ms` with all clients, then stops. */
async function probeFor(ms: number, during?: () => Promise<void>): Promise<{ probes: ClientProbe[]; t0: number; t1: number }> {
  const p = await startBalanceProbe(lab.info.client.namespace, VIP, PORT, RATE, clients);
  const t0 = Date.now();
  await during?.();
  const left = ms - (Date.now() - t0);
  if (left > 0) await sleep(left);
  const t1 = Date.now();
  return { probes: await p.stop(), t0, t1 };
}

function split(probes: ClientProbe[], from: number, to = Infinity): Record<string, number> {
  const n: Record<string, number> = {};
  for (const c of probes) {
    const s = [...servedBy(c, from, to)].sort((a, b) => b[1] - a[1])[0];
    if (s) n[s[0]] = (n[s[0]] ?? 0) + 1;
  }
  return n;
}

beforeAll(async () => {
  ensureBuilt();
  await Lab.down(ID).catch(() => {});
  lab = await Lab.up({ id: ID, hosts: 2 });
  for (const h of HOSTS) await startAgent(lab, h, config(h));
  await baseline();
  clients = await addClients(lab.info.client.namespace, `198.18.${ID}`, 128, 64);
  for (const h of HOSTS) responders.push(await startResponder(lab.host(h).netns, VIP, PORT, h));
}, 120_000);

afterAll(async () => {
  for (const r of responders) await r.stop().catch(() => {});
  if (lab) {
    await lab.healAll().catch(() => {});
    for (const h of HOSTS) await stopAgent(lab, h).catch(() => {});
  }
  await Lab.down(ID, { purge: true });
});

describe('arpbalance in the lab: two firewalls, two vhids sharing one address, 64 clients', () => {
  it('every client is served by the host the hash predicts; each master holds its virtual MAC; the kernel answers no ARP', async () => {
    const { probes, t0 } = await probeFor(3000);
    const wrong = probes.filter((c) => {
      const by = [...servedBy(c, t0)];
      return by.length !== 1 || by[0][0] !== expected(c.address, OWNER);
    });
    const s = split(probes, t0);
    console.log(`split of 64 contiguous clients (198.18.${ID}.128-191): ${JSON.stringify(s)}`);
    expect(wrong.map((c) => `${c.address}: ${JSON.stringify([...servedBy(c, t0)])}`)).toEqual([]);
    expect(s).toEqual({ fw1: 32, fw2: 32 });
    expect(probes.every((c) => lostIn(c) === 0)).toBe(true);

    // The clients' ARP caches: the shared address at vhid 1's or vhid 2's virtual MAC, by the hash.
    const neigh = await lab.clientExec(['ip', '-4', 'neigh', 'show', VIP]);
    const macs = new Map(neigh.stdout.trim().split('\n').map((l) => [/dev (\S+)/.exec(l)?.[1], /lladdr (\S+)/.exec(l)?.[1]]));
    for (const c of clients) expect(macs.get(c.dev), c.dev).toBe(`00:00:5e:00:01:0${balancedVhid(c.address, [1, 2])}`);

    // fw1 holds vhid 1's virtual MAC with the shared address; eth0 holds no shared address and answers no ARP for it.
    const links = await sh(lab, 'fw1', 'ip -o link show; ip -4 -o addr show');
    expect(links).toMatch(/eth0-vm1@eth0: .*NOARP.*link\/ether 00:00:5e:00:01:01/);
    expect(links).not.toMatch(/eth0-vm2/);
    expect(links).toMatch(new RegExp(`eth0-vm1 +inet ${VIP.replaceAll('.', '\\.')}/32`));
    expect(await sh(lab, 'fw1', 'cat /proc/sys/net/ipv4/conf/eth0/arp_ignore /proc/sys/net/ipv4/conf/eth0/arp_announce')).toBe('1\n2\n');
    const [a] = await Promise.all([status(lab, 'fw1')]);
    expect(a.arpbalance).toBe(true);
    expect(a.groups.map((g) => g.balanced)).toEqual([[1, 2], [1, 2]]);
  });

  it('a cut host\'s clients move to the other within the failover bound; on heal the split returns', async () => {
    let cutAt = 0;
    let healAt = 0;
    const { probes } = await probeFor(0, async () => {
      await sleep(1000);
      cutAt = Date.now();
      await lab.cut('fw1');
      await waitFor(async () => states(await status(lab, 'fw2')) === '1:MASTER 2:MASTER', FAILOVER_BOUND_MS + 10_000, 'fw2 MASTER of both vhids');
      await sleep(2500);
      healAt = Date.now();
      await lab.heal('fw1');
      await baseline();
      await sleep(2500);
    });
    const fw1Clients = probes.filter((c) => expected(c.address, OWNER) === 'fw1');
    const moved = fw1Clients.map((c) => (firstAnswerFrom(c, 'fw2', cutAt) ?? Infinity) - cutAt);
    const worst = Math.max(...moved);
    console.log(`cut fw1: its ${fw1Clients.length} clients answered by fw2 after ${Math.min(...moved).toFixed(0)}..${worst.toFixed(0)} ms (bound ${FAILOVER_BOUND_MS} ms); fw2's own clients lost ${probes.filter((c) => expected(c.address, OWNER) === 'fw2').reduce((n, c) => n + lostIn(c, cutAt, healAt), 0)} probes`);
    expect(worst).toBeLessThanOrEqual(FAILOVER_BOUND_MS);
    // While fw1 is out, once its clients have moved, every client is served by fw2; fw2's own clients never notice.
    const whileOut = split(probes, cutAt + worst + 100, healAt);
    expect(whileOut).toEqual({ fw2: 64 });
    for (const c of probes.filter((x) => expected(x.address, OWNER) === 'fw2')) expect(lostIn(c, cutAt, healAt), c.address).toBe(0);
    // Healed and preempted: the split is back.
    const after = split(probes, Date.now() - 2000);
    console.log(`after the heal: ${JSON.stringify(after)}`);
    expect(after).toEqual({ fw1: 32, fw2: 32 });
    for (const c of probes) expect([...servedBy(c, Date.now() - 2000)].map(([h]) => h), c.address).toEqual([expected(c.address, OWNER)]);
  });

  it('maintenance on fw1 moves its clients to fw2 with at most one lost probe per client at 10/s, and back', async () => {
    let onAt = 0;
    let offAt = 0;
    const { probes, t1 } = await probeFor(0, async () => {
      await sleep(1000);
      onAt = Date.now();
      expect((await agentCli(lab, 'fw1', 'maintenance on')).code).toBe(0);
      await waitFor(async () => states(await status(lab, 'fw2')) === '1:MASTER 2:MASTER', 10_000, 'fw2 MASTER of both vhids');
      await sleep(2000);
      offAt = Date.now();
      expect((await agentCli(lab, 'fw1', 'maintenance off')).code).toBe(0);
      await baseline();
      await sleep(2000);
    });
    const losses = probes.map((c) => lostIn(c));
    console.log(`maintenance on fw1 and off again, 64 clients at ${RATE}/s: lost per client max ${Math.max(...losses)}, total ${losses.reduce((a, b) => a + b, 0)} of ${probes.reduce((n, c) => n + c.sends.size, 0)}`);
    expect(Math.max(...losses)).toBeLessThanOrEqual(1);
    expect(split(probes, onAt + 1500, offAt)).toEqual({ fw2: 64 });
    expect(split(probes, t1 - 1500)).toEqual({ fw1: 32, fw2: 32 });
  });
});
