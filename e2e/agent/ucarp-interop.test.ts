// carp-agent and Debian's ucarp in the same group, in both roles: the expected side is master,
// failover works both ways, ucarp never complains about our adverts (Bad digest / TTL / checksum...).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lab } from '../lab/index.js';
import { ensureBuilt, startAgent, stopAgent, stateOf, waitFor, hasAddress, agentCli, sh, status } from './helpers.js';
import { sleep } from '../wait.js';

const ID = 21;
const VIP = `198.18.${ID}.100`;
const agentConfig = (advskew: number) => ({ groups: [{ vhid: 7, interface: 'eth0', addresses: [`${VIP}/24`], password: 'interop-pw', advskew, preempt: true }] });

let lab: Lab;

async function startUcarp(advskew: number, preempt = false): Promise<void> {
  await lab.exec('fw2', 'cat > /tmp/up.sh && chmod +x /tmp/up.sh', { input: '#!/bin/sh\nip addr add "$2"/24 dev "$1"\n' });
  await lab.exec('fw2', 'cat > /tmp/down.sh && chmod +x /tmp/down.sh', { input: '#!/bin/sh\nip addr del "$2"/24 dev "$1" 2>/dev/null; true\n' });
  await sh(lab, 'fw2', `setsid ucarp -i eth0 -s 198.18.${ID}.2 -v 7 -p interop-pw -a ${VIP} -k ${advskew}${preempt ? ' -P' : ''} -z -u /tmp/up.sh -d /tmp/down.sh >>/var/log/ucarp.log 2>&1 </dev/null & echo $! > /run/ucarp-test.pid`);
}
async function stopUcarp(): Promise<void> {
  await lab.exec('fw2', `P=$(cat /run/ucarp-test.pid) || exit 0; kill -TERM $P; for i in $(seq 50); do kill -0 $P 2>/dev/null || exit 0; sleep 0.1; done`);
}
const ucarpLog = () => sh(lab, 'fw2', 'cat /var/log/ucarp.log 2>/dev/null; true');
const ucarpIsMaster = () => hasAddress(lab, 'fw2', VIP);

beforeAll(async () => {
  ensureBuilt();
  await Lab.down(ID).catch(() => {});
  lab = await Lab.up({ id: ID, hosts: 2 });
});
afterAll(async () => {
  await stopAgent(lab, 'fw1').catch(() => {});
  await stopUcarp().catch(() => {});
  await lab?.down({ purge: true });
});

describe('carp-agent with ucarp', () => {
  it('agent preferred: agent is MASTER, ucarp BACKUP hears it without complaint', async () => {
    await startUcarp(100);
    await startAgent(lab, 'fw1', agentConfig(0));
    await waitFor(async () => (await stateOf(lab, 'fw1', 7)) === 'MASTER' && !(await ucarpIsMaster()), 10_000, 'agent MASTER, ucarp without VIP');
    await sleep(2500);
    expect(await ucarpIsMaster()).toBe(false);
    expect(await hasAddress(lab, 'fw1', VIP)).toBe(true);
    const s = await status(lab, 'fw1');
    expect(s.groups[0].sent).toBeGreaterThan(2);
    expect((await lab.probe(VIP, { rate: 50, seconds: 1 })).received).toBeGreaterThan(40);
  });

  it('agent stops (bow-out): ucarp takes over at once; agent comes back and preempts', async () => {
    await stopAgent(lab, 'fw1');
    const t = await waitFor(ucarpIsMaster, 5000, 'ucarp MASTER');
    console.log(`ucarp took over ${t} ms after the agent's bow-out`);
    // Protocol timing, not a speed: the bow-out makes ucarp take over at once, where silence would take its
    // master-down interval (3 x 1 s + 100/256 = 3.39 s); ucarp reads packets through libpcap with up to
    // ~1 s delay, so 2.5 s is the bound that still tells the two apart.
    expect(t).toBeLessThan(2500);
    await startAgent(lab, 'fw1', null);
    await waitFor(async () => (await stateOf(lab, 'fw1', 7)) === 'MASTER' && !(await ucarpIsMaster()), 10_000, 'agent back as MASTER');
    const s = await status(lab, 'fw1');
    expect(s.groups[0].received).toBeGreaterThan(0); // it heard ucarp's adverts
    expect(s.groups[0].lastAdvert?.from).toBe(`198.18.${ID}.2`);
    expect(s.groups[0].drops.hmac ?? 0).toBe(0);
  });

  it('ucarp preferred: agent yields to ucarp and takes over when ucarp dies', async () => {
    expect((await agentCli(lab, 'fw1', 'set 7 advskew 200')).code).toBe(0);
    expect((await agentCli(lab, 'fw1', 'set 7 preempt off')).code).toBe(0);
    // restart ucarp with -P: as a better backup (100 < 200) it preempts, and the agent master yields to it
    await stopUcarp();
    await startUcarp(100, true);
    await waitFor(async () => (await stateOf(lab, 'fw1', 7)) === 'BACKUP', 10_000, 'agent BACKUP');
    await waitFor(ucarpIsMaster, 10_000, 'ucarp MASTER');
    expect(await hasAddress(lab, 'fw1', VIP)).toBe(false);
    await sleep(2000);
    expect(await stateOf(lab, 'fw1', 7)).toBe('BACKUP');
    await stopUcarp(); // -z: ucarp runs its downscript, sends no farewell: the agent waits master-down
    const t = await waitFor(async () => (await stateOf(lab, 'fw1', 7)) === 'MASTER', 8000, 'agent MASTER after ucarp stopped');
    console.log(`agent took over ${t} ms after ucarp stopped (master-down 3 x 1 + 200/256 = 3.78 s after the last advert)`);
    expect(await hasAddress(lab, 'fw1', VIP)).toBe(true);
    expect((await lab.probe(VIP, { rate: 100, seconds: 1 })).lost).toBe(0);
  });

  it('ucarp logged no complaint about the agent and did switch states', async () => {
    const log = await ucarpLog();
    console.log(`ucarp log lines: ${log.trim().split('\n').length}`);
    expect(log).not.toMatch(/Bad digest|Bad TTL|Bad IP checksum|Bad version|bad/i);
    expect(log).toMatch(/MASTER/);
  });
});
