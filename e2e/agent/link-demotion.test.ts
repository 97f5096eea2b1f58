// OpenBSD's link demotion in the lab (id 72): two hosts on two segments, a LAN group and a WAN group, both
// preempt, both mastered by fw1. Cutting fw1's WAN cable moves both groups to fw2 within the protocol's
// bound (the WAN by silence, the LAN at once by fw1's demoted advert); healing brings both back to fw1.
// The fleet model, fed the agents' own snapshots, says nothing while the groups stay together and raises
// split-masters (with its cause) when they are split.
import { describe, it, expect, beforeAll, beforeEach, afterAll } from 'vitest';
import type { Snapshot } from '../../agent/control/messages.js';
import { buildFleet } from '../../electron/core/fleet/build-fleet.js';
import { Lab } from '../lab/index.js';
import { ensureBuilt, startAgent, stopAgent, status, waitFor, agentCli, sh } from './helpers.js';
import { sleep } from '../wait.js';

const ID = 72;
const LAN_VIP = `198.18.${ID}.100`;
const WAN = '198.18.172'; // the lab's second segment for id 72: 198.18.(100+N).0/24 (e2e/lab/names.ts)
const WAN_VIP = `${WAN}.100`;
const ADVBASE = 1;
const SKEW = { fw1: 0, fw2: 100 } as const;
const config = (advskew: number) => ({
  groups: [
    { vhid: 1, name: 'lan', interface: 'eth0', addresses: [`${LAN_VIP}/24`], password: 'lan-pass', advbase: ADVBASE, advskew, preempt: true },
    { vhid: 2, name: 'wan', interface: 'eth1', addresses: [`${WAN_VIP}/24`], password: 'wan-pass', advbase: ADVBASE, advskew, preempt: true },
  ],
});

// The protocol's timers (carp-protocol.md §5): a backup declares the master down after 3 × advbase +
// advskew/256 s of silence, and the silence began at the master's last advert, at most advbase before
// the cut. A backup hearing a more demoted master takes over after its own advskew/256 s.
const MASTER_DOWN_MS = (3 * ADVBASE + SKEW.fw2 / 256) * 1000;
/** Scheduling on a loaded 2-core machine (netlink event, timers, the status reads that observe them). */
const SLACK_MS = 1500;
const WAN_BOUND_MS = ADVBASE * 1000 + MASTER_DOWN_MS + SLACK_MS;
const LAN_BOUND_MS = (SKEW.fw2 / 256) * 1000 + SLACK_MS;
/** Heal: fw1 preempts as soon as it hears fw2's next advert (at most advbase away; its own skew is 0). */
const HEAL_BOUND_MS = ADVBASE * 1000 + (SKEW.fw1 / 256) * 1000 + SLACK_MS;

let lab: Lab;

const group = (s: Snapshot, vhid: number) => s.groups.find((g) => g.vhid === vhid)!;
const states = (s: Snapshot) => s.groups.map((g) => `${g.vhid}:${g.state}`).sort().join(' ');

async function both(): Promise<[Snapshot, Snapshot]> {
  return Promise.all([status(lab, 'fw1'), status(lab, 'fw2')]);
}

function fleetOf(s1: Snapshot, s2: Snapshot) {
  const now = Date.now();
  return buildFleet([{ host: 'fw1', status: 'live', lastSeen: now, snapshot: s1 }, { host: 'fw2', status: 'live', lastSeen: now, snapshot: s2 }], now);
}

async function addresses(host: string, dev: string): Promise<string> {
  return sh(lab, host, `ip -4 -o addr show dev ${dev}`);
}

/** fw1 MASTER of both groups, fw2 BACKUP of both hearing it, no demotion of any kind. */
async function atBaseline(): Promise<boolean> {
  try {
    const [a, b] = await both();
    return (
      states(a) === '1:MASTER 2:MASTER' && states(b) === '1:BACKUP 2:BACKUP' && a.demote === 0 && a.linkDemotion?.demote === 0 &&
      b.groups.every((g) => g.received > 0) && a.groups.every((g) => g.advskew === SKEW.fw1)
    );
  } catch {
    return false;
  }
}

async function baseline(): Promise<void> {
  await lab.healAll();
  if (!(await atBaseline())) {
    for (const h of ['fw2', 'fw1']) await stopAgent(lab, h).catch(() => {});
    for (const h of ['fw1', 'fw2'] as const) {
      await sh(lab, h, 'rm -f /etc/carp-agent/state.json /etc/carp-agent/config.json.prev');
      await startAgent(lab, h, config(SKEW[h]));
    }
  }
  await waitFor(atBaseline, 15_000, 'fw1 MASTER of the LAN and WAN groups, fw2 BACKUP of both (baseline)');
}

beforeAll(async () => {
  ensureBuilt();
  await Lab.down(ID).catch(() => {});
  lab = await Lab.up({ id: ID, hosts: 2, segments: 2 });
});
beforeEach(baseline);
afterAll(async () => {
  if (lab) {
    await lab.healAll().catch(() => {});
    for (const h of ['fw1', 'fw2']) await stopAgent(lab, h).catch(() => {});
  }
  await Lab.down(ID, { purge: true });
});

describe('link demotion in the lab', () => {
  it("cutting fw1's WAN link moves both groups to fw2 within the bound; healing brings both back", async () => {
    const [a0, b0] = await both();
    expect(fleetOf(a0, b0).findings.filter((f) => f.kind === 'split-masters')).toEqual([]);
    const probe = await lab.startProbe(LAN_VIP, { rate: 50 });
    await sleep(300);

    const cutAt = Date.now();
    await lab.cutWan('fw1');
    await waitFor(async () => states(await status(lab, 'fw2')) === '1:MASTER 2:MASTER', WAN_BOUND_MS + 10_000, 'fw2 MASTER of both groups');
    const [a, b] = await both();
    const lanMs = group(b, 1).since - cutAt;
    const wanMs = group(b, 2).since - cutAt;
    console.log(`cut fw1's WAN: fw2 MASTER of the LAN after ${lanMs} ms (bound ${LAN_BOUND_MS}), of the WAN after ${wanMs} ms (bound ${WAN_BOUND_MS})`);
    // The WAN moves by silence: not before the master-down time could have run out, not after its bound.
    expect(wanMs).toBeGreaterThanOrEqual(MASTER_DOWN_MS - ADVBASE * 1000);
    expect(wanMs).toBeLessThanOrEqual(WAN_BOUND_MS);
    // The LAN moves because fw1 advertised its demotion at once (without link demotion it would never move).
    expect(lanMs).toBeLessThanOrEqual(LAN_BOUND_MS);

    // fw1 shows the link demotion apart from its operator counter, and advertises their sum.
    expect(a.linkDemotion).toEqual({ demote: 1, down: ['eth1'] });
    expect(a.demote).toBe(0);
    expect(group(a, 1)).toMatchObject({ state: 'BACKUP', demote: 1 });
    expect(group(a, 2).state).toBe('INIT');
    expect(group(b, 1).lastAdvert).toMatchObject({ from: `198.18.${ID}.1`, demote: 1 });
    expect(await addresses('fw2', 'eth0')).toContain(` ${LAN_VIP}/24`);
    expect(await addresses('fw2', 'eth1')).toContain(` ${WAN_VIP}/24`);
    expect(await addresses('fw1', 'eth0')).not.toContain(` ${LAN_VIP}/`);
    expect(await addresses('fw1', 'eth1')).not.toContain(` ${WAN_VIP}/`);
    // `carp-agent status` says it in words, and the console's fleet sees the groups together on fw2.
    expect((await agentCli(lab, 'fw1', 'status')).stdout).toMatch(/^link demotion 1 \(down: eth1\): groups advertise demote 1$/m);
    const f = fleetOf(a, b);
    expect(f.findings.filter((x) => x.kind === 'split-masters' || x.kind === 'stuck-demotion')).toEqual([]);
    expect(f.hosts.find((h) => h.host === 'fw1')!.linkDemotion).toEqual({ demote: 1, down: ['eth1'] });

    // A flapping report changes nothing: the counter stays 1 however often the link is reported down.
    await lab.cutWan('fw1');
    await sleep(300);
    expect((await status(lab, 'fw1')).linkDemotion).toEqual({ demote: 1, down: ['eth1'] });

    const healAt = Date.now();
    await lab.healWan('fw1');
    await waitFor(async () => states(await status(lab, 'fw1')) === '1:MASTER 2:MASTER', HEAL_BOUND_MS + 10_000, 'fw1 MASTER of both groups again');
    const a2 = await status(lab, 'fw1');
    const backLan = group(a2, 1).since - healAt;
    const backWan = group(a2, 2).since - healAt;
    console.log(`heal fw1's WAN: fw1 MASTER of the LAN after ${backLan} ms, of the WAN after ${backWan} ms (bound ${HEAL_BOUND_MS})`);
    expect(backLan).toBeLessThanOrEqual(HEAL_BOUND_MS);
    expect(backWan).toBeLessThanOrEqual(HEAL_BOUND_MS);
    expect(a2.linkDemotion).toEqual({ demote: 0, down: [] });
    await waitFor(async () => states(await status(lab, 'fw2')) === '1:BACKUP 2:BACKUP', 5000, 'fw2 BACKUP of both');
    expect(fleetOf(a2, await status(lab, 'fw2')).findings.filter((x) => x.kind === 'split-masters')).toEqual([]);

    await sleep(500);
    const r = await probe.stop();
    console.log(`LAN VIP probe at 50/s across the cut and the heal: sent ${r.sent}, lost ${r.lost}, longest gap ${r.longestGapMs} ms`);
    expect(r.received).toBeGreaterThan(0);
    expect(r.longestGapMs).toBeLessThanOrEqual(LAN_BOUND_MS); // the LAN never waited for a master-down timeout
  });

  it('the fleet model raises split-masters when fw1 keeps the LAN while fw2 masters the WAN', async () => {
    // Make fw1 worse on the WAN only (advskew 200 > fw2's 100): fw2 preempts the WAN, fw1 keeps the LAN.
    expect((await agentCli(lab, 'fw1', 'set 2 advskew 200')).code).toBe(0);
    await waitFor(async () => group(await status(lab, 'fw2'), 2).state === 'MASTER' && group(await status(lab, 'fw1'), 2).state === 'BACKUP', 5000, 'fw2 MASTER of the WAN');
    const [a, b] = await both();
    expect(states(a)).toBe('1:MASTER 2:BACKUP');
    const split = fleetOf(a, b).findings.filter((x) => x.kind === 'split-masters');
    expect(split).toHaveLength(1);
    // Groups in board order (segment text, vhid): the WAN's 198.18.172.0/24 sorts before the LAN's 198.18.72.0/24.
    expect(split[0]).toMatchObject({ severity: 'warning', group: `198.18.${ID}.0/24#1`, hosts: ['fw1', 'fw2'] });
    expect(split[0].message).toMatch(
      new RegExp(`^fw2 masters wan \\(198\\.18\\.172\\.0/24 vhid 2\\) while fw1 masters lan \\(198\\.18\\.${ID}\\.0/24 vhid 1\\) on the same hosts: traffic between them crosses both firewalls`),
    );
    expect(split[0].message).toMatch(/check link demotion and preempt/);
    // Back: fw1 preempts the WAN again and the finding clears.
    expect((await agentCli(lab, 'fw1', `set 2 advskew ${SKEW.fw1}`)).code).toBe(0);
    await waitFor(async () => states(await status(lab, 'fw1')) === '1:MASTER 2:MASTER', 5000, 'fw1 MASTER of both again');
    await waitFor(async () => states(await status(lab, 'fw2')) === '1:BACKUP 2:BACKUP', 5000, 'fw2 BACKUP of both');
    const [a2, b2] = await both();
    expect(fleetOf(a2, b2).findings.filter((x) => x.kind === 'split-masters')).toEqual([]);
  });
});
