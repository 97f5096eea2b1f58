// OpenBSD's net.inet.carp.allow in the lab (`carp-agent allow off|on [--persist]`): off on the master under a
// 100/s probe hands over hitlessly (at most 1 lost probe), then fw1 sends no advert (counted on the wire with
// tshark) and holds no VIP while fw2 is MASTER; on brings it back (the host-wide `preempt: true` of fw1's config
// takes the group back); a restart forgets an off, unless it was --persist.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lab } from '../lab/index.js';
import { captureAdverts, type Capture } from '../bench/wire.js';
import { agentCli, ensureBuilt, hasAddress, sh, startAgent, stateOf, status, stopAgent, waitFor } from './helpers.js';
import { sleep } from '../wait.js';

const ID = 28;
const VIP = `198.18.${ID}.100`;
const group = (advskew: number) => ({ vhid: 1, interface: 'eth0', addresses: [`${VIP}/24`], password: 'allow-test', advskew });
// fw1: the host-wide preempt (OpenBSD's net.inet.carp.preempt), no preempt in the group itself
const FW1 = { preempt: true, groups: [group(0)] };
const FW2 = { groups: [group(100)] };
let lab: Lab;
let cap: Capture | null = null;
let fw1Ip = '';

const advertsFrom = (src: string, after: number, before = Infinity) => cap!.adverts.filter((a) => a.src === src && a.t > after && a.t <= before).length;

beforeAll(async () => {
  ensureBuilt();
  await Lab.down(ID).catch(() => {});
  lab = await Lab.up({ id: ID, hosts: 2 });
  fw1Ip = lab.host('fw1').lanAddress;
  await startAgent(lab, 'fw1', FW1);
  await waitFor(async () => (await stateOf(lab, 'fw1', 1)) === 'MASTER', 10_000, 'fw1 MASTER');
  await startAgent(lab, 'fw2', FW2);
  await waitFor(async () => ((await status(lab, 'fw2')).groups[0]?.received ?? 0) >= 2, 10_000, 'fw2 BACKUP hearing fw1');
  cap = await captureAdverts(lab);
});

afterAll(async () => {
  await cap?.stop();
  for (const h of ['fw1', 'fw2']) await stopAgent(lab, h).catch(() => {});
  await lab?.down({ purge: true });
});

describe('allow (net.inet.carp.allow)', () => {
  it('off on the master: hitless hand-over, then no advert and no VIP from fw1; on: it runs and preempts again', async () => {
    expect((await status(lab, 'fw1')).groups[0].preempt).toBe(true); // from the top level
    const probe = await lab.startProbe(VIP, { rate: 100 });
    await sleep(300);
    const t0 = Date.now();
    const r = await agentCli(lab, 'fw1', 'allow off');
    const handoverMs = Date.now() - t0;
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('allow OFF (CARP stopped until `allow on` or a restart)');
    expect(await stateOf(lab, 'fw2', 1)).toBe('MASTER');
    await sleep(500);
    const res = await probe.stop();
    console.log(`allow off on the master: command returned after ${handoverMs} ms; probe sent ${res.sent}, lost ${res.lost}, longest gap ${res.longestGapMs} ms`);
    expect(res.lost).toBeLessThanOrEqual(1);

    const s1 = await status(lab, 'fw1');
    expect(s1.allow).toEqual({ allowed: false, leaving: false, persistedOff: false });
    expect(s1.groups[0]).toMatchObject({ state: 'INIT', segment: `198.18.${ID}.0/24` }); // still the same member for the console
    expect(await hasAddress(lab, 'fw1', VIP)).toBe(false);
    expect(await hasAddress(lab, 'fw2', VIP)).toBe(true);
    // on the wire: nothing from fw1 over 4 s (fw2's adverts are there: the capture works)
    const from = Date.now();
    await sleep(4000);
    const to = Date.now();
    // tshark may print late on a loaded machine: wait until it has shown an advert of fw2 after the window
    await cap!.next(lab.host('fw2').lanAddress, to, 10_000);
    expect(advertsFrom(fw1Ip, from, to)).toBe(0);
    expect(advertsFrom(lab.host('fw2').lanAddress, from, to)).toBeGreaterThanOrEqual(2); // every 1 + 100/256 s
    expect((await status(lab, 'fw1')).groups[0].received).toBe(s1.groups[0].received); // adverts ignored
    expect(await sh(lab, 'fw1', 'cat /var/log/carp-agent.log')).toMatch(/allow off: CARP stopped/);

    const on = await agentCli(lab, 'fw1', 'allow on');
    expect(on.stdout.trim()).toBe('allow on');
    // running again: it hears fw2, preempts (host-wide preempt, better advskew) and takes the VIP back
    await waitFor(async () => (await stateOf(lab, 'fw1', 1)) === 'MASTER', 8000, 'fw1 MASTER again');
    await waitFor(async () => (await stateOf(lab, 'fw2', 1)) === 'BACKUP', 5000, 'fw2 BACKUP again');
    expect(await hasAddress(lab, 'fw1', VIP)).toBe(true);
    const back = Date.now();
    await waitFor(() => advertsFrom(fw1Ip, back) >= 2, 10_000, 'adverts from fw1 on the wire again');
  });

  it('a restart forgets allow off; with --persist it stays off (state.json)', async () => {
    expect((await agentCli(lab, 'fw1', 'allow off')).code).toBe(0);
    await stopAgent(lab, 'fw1');
    await startAgent(lab, 'fw1', null);
    expect((await status(lab, 'fw1')).allow).toEqual({ allowed: true, leaving: false, persistedOff: false });
    await waitFor(async () => (await stateOf(lab, 'fw1', 1)) === 'MASTER', 10_000, 'fw1 MASTER after the restart (preempt)');

    const off = await agentCli(lab, 'fw1', 'allow off --persist');
    expect(off.stdout.trim()).toBe('allow OFF (CARP stopped; kept across restarts)');
    expect(JSON.parse(await sh(lab, 'fw1', 'cat /etc/carp-agent/state.json'))).toMatchObject({ allow: false });
    await stopAgent(lab, 'fw1');
    await startAgent(lab, 'fw1', null);
    const from = Date.now();
    await sleep(4500); // past a master-down interval: a running group would have preempted
    await cap!.next(lab.host('fw2').lanAddress, Date.now(), 10_000); // the capture has caught up
    const s = await status(lab, 'fw1');
    expect(s.allow).toEqual({ allowed: false, leaving: false, persistedOff: true });
    expect(s.groups[0].state).toBe('INIT');
    expect(await hasAddress(lab, 'fw1', VIP)).toBe(false);
    expect(await stateOf(lab, 'fw2', 1)).toBe('MASTER');
    expect(advertsFrom(fw1Ip, from)).toBe(0);
    expect(await sh(lab, 'fw1', 'cat /var/log/carp-agent.log')).toMatch(/allow is off \(persisted in \/etc\/carp-agent\/state\.json\)/);

    expect((await agentCli(lab, 'fw1', 'allow on')).code).toBe(0);
    expect(JSON.parse(await sh(lab, 'fw1', 'cat /etc/carp-agent/state.json'))).not.toHaveProperty('allow');
    await waitFor(async () => (await stateOf(lab, 'fw1', 1)) === 'MASTER', 10_000, 'fw1 MASTER after allow on');
  });
});
