// The supervisor: its pure parts (backoff schedule, cleanup plan from a config, exit reasons, what the
// snapshot and `attach` say) and the loop itself with real child processes and a fake network.
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseAgentConfig, type GroupConfig } from '../config/schema.js';
import { decodePacket, encodeIpPacket, verifyHmac, carpKey } from '../protocol/index.js';
import { bowOutAdverts } from './bowout.js';
import {
  backoffDelay,
  cleanupPlan,
  heldGroups,
  describeExit,
  describeSupervisor,
  exitReasonPathFor,
  nextConsecutive,
  readSupervisorRecord,
  removeHeld,
  restartsForSnapshot,
  Supervisor,
  supervisorStatePathFor,
  type BackoffPolicy,
  type RestartEntry,
  type SupervisorNet,
  type SupervisorRecord,
} from './supervise.js';

describe('backoff', () => {
  it('waits 1, 2, 4 … s, capped at 30 s, for exits in a row', () => {
    let n = 0;
    const delays = [];
    for (let i = 0; i < 8; i++) {
      n = nextConsecutive(n, 500);
      delays.push(backoffDelay(n));
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });
  it('starts again at 1 s after a child that ran for a minute', () => {
    expect(nextConsecutive(5, 59_999)).toBe(6);
    expect(nextConsecutive(5, 60_000)).toBe(1);
    expect(backoffDelay(nextConsecutive(5, 3_600_000))).toBe(1000);
    expect(backoffDelay(0)).toBe(1000);
    expect(backoffDelay(200)).toBe(30_000);
    const p: BackoffPolicy = { initialMs: 10, maxMs: 35, resetAfterMs: 100 };
    expect([1, 2, 3, 4].map((k) => backoffDelay(k, p))).toEqual([10, 20, 35, 35]);
  });
});

describe('cleanup plan', () => {
  it('lists every VIP of the config once per interface, with its prefix', () => {
    const c = parseAgentConfig({
      groups: [
        { vhid: 1, interface: 'eth0', addresses: ['198.18.0.100/24', '198.18.0.101/24'], password: 'a' },
        { vhid: 2, interface: 'eth1', addresses: ['198.18.1.100/24'], password: 'b' },
      ],
    });
    // (the schema refuses a VIP in two groups of one interface; the plan would still list it once)
    const twice = { groups: [...c.groups, { ...c.groups[0], vhid: 3, addresses: ['198.18.0.100/24'] }] };
    expect(cleanupPlan(twice)).toEqual(cleanupPlan(c));
    expect(cleanupPlan(c)).toEqual([
      { interface: 'eth0', address: '198.18.0.100/24' },
      { interface: 'eth0', address: '198.18.0.101/24' },
      { interface: 'eth1', address: '198.18.1.100/24' },
    ]);
    expect(cleanupPlan({ groups: [] })).toEqual([]);
  });

  it('removes only the addresses that are there, and keeps going after an error', () => {
    const held = new Set(['198.18.0.100', '198.18.0.101', '198.18.1.100']);
    const calls: string[] = [];
    const net: SupervisorNet = {
      interfaceAddresses: (i) => (i === 'eth0' ? ['198.18.0.1', ...[...held].filter((a) => a.startsWith('198.18.0.'))] : []),
      removeAddress: (i, c) => {
        calls.push(`${i} ${c}`);
        if (c.startsWith('198.18.0.100')) throw new Error('EPERM');
        held.delete(c.split('/')[0]);
      },
    };
    const errors: string[] = [];
    const removed = removeHeld(
      [
        { interface: 'eth0', address: '198.18.0.100/24' },
        { interface: 'eth0', address: '198.18.0.101/24' },
        { interface: 'eth0', address: '198.18.0.102/24' },
        { interface: 'eth1', address: '198.18.1.100/24' },
      ],
      net,
      (m) => errors.push(m),
    );
    expect(removed).toEqual(['198.18.0.101/24 on eth0']);
    expect(calls).toEqual(['eth0 198.18.0.100/24', 'eth0 198.18.0.101/24']); // .102 is not there, eth1 has none
    expect(errors).toEqual(['cannot remove 198.18.0.100/24 from eth0: EPERM']);
  });
});

describe('bow-out for the groups the dead agent was MASTER of', () => {
  const c = parseAgentConfig({
    groups: [
      { vhid: 1, interface: 'eth0', addresses: ['198.18.0.100/24'], password: 'a', advskew: 10 },
      { vhid: 2, interface: 'eth0', addresses: ['198.18.0.101/24', '198.18.0.102/24'], password: 'b' },
      { vhid: 3, interface: 'eth1', addresses: ['198.18.1.100/24'], password: 'c' },
    ],
  });
  it('picks the groups whose VIPs (any) are still on their interface', () => {
    const on: Record<string, string[]> = { eth0: ['198.18.0.1', '198.18.0.102'], eth1: ['198.18.1.1'] };
    expect(heldGroups(c.groups, (i) => on[i] ?? []).map((g) => g.vhid)).toEqual([2]);
  });
  it('also picks a balanced group whose virtual MAC link is still there (its shared addresses are on the link)', () => {
    expect(heldGroups(c.groups, () => [], ['eth0-vm1', 'eth1-vm2', 'if12-vm3']).map((g) => g.vhid)).toEqual([1, 3]);
  });
  it('is the advert a clean stop sends: advbase 255, advskew 255, demote below 255, valid HMAC, fresh counters', () => {
    const g = c.groups[0];
    const [a, b] = bowOutAdverts(g, 255, 2, Buffer.from('00000000000000ff', 'hex'));
    for (const x of [a, b]) {
      const r = decodePacket(encodeIpPacket(x, { src: '198.18.0.1' }));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.header).toMatchObject({ vhid: 1, advbase: 255, advskew: 255, demote: 254 });
      expect(verifyHmac(r.header, carpKey('a'), g.addresses)).toBe(true);
    }
    expect(a.subarray(8, 16).toString('hex')).toBe('00000000000000ff');
    expect(b.subarray(8, 16).toString('hex')).toBe('0000000000000100');
    expect(bowOutAdverts(g, 3, 1)[0][4]).toBe(3);
  });
});

describe('exit reasons and what is reported', () => {
  it('says how the agent ended', () => {
    expect(describeExit(null, 'SIGKILL')).toBe('killed by SIGKILL (kill -9 or the kernel OOM killer)');
    expect(describeExit(null, 'SIGSEGV')).toBe('killed by SIGSEGV');
    expect(describeExit(2, null, 'refusing to start: groups[0].advskew: must be 0..254\nmore')).toBe('exit code 2: refusing to start: groups[0].advskew: must be 0..254');
    expect(describeExit(0, null)).toMatch(/^exit code 0 \(stopped, but not by its supervisor\)/);
  });

  const record = (over: Partial<SupervisorRecord> = {}): SupervisorRecord => ({
    supervisorPid: 41,
    supervisorStartedAt: 0,
    state: 'backoff',
    childPid: null,
    childStartedAt: null,
    count: 3,
    consecutive: 3,
    nextStartAt: 100_000 + 4000,
    history: [
      { at: 10_000, reason: 'killed by SIGKILL', uptimeMs: 5_000_000, delayMs: 1000, removed: ['198.18.0.100/24 on eth0'], bowedOut: ['vhid 1 on eth0'] },
      { at: 98_000, reason: 'exit code 2: refusing to start: x', uptimeMs: 300, delayMs: 2000, removed: [], bowedOut: [] },
      { at: 100_000, reason: 'exit code 2: refusing to start: x', uptimeMs: 300, delayMs: 4000, removed: [], bowedOut: [] },
    ],
    ...over,
  });

  it('reports count, recent restarts (last 10 min), time and reason of the last one in the snapshot', () => {
    expect(restartsForSnapshot(record(), 101_000)).toEqual({ count: 3, recent: 3, lastAt: 100_000, lastReason: 'exit code 2: refusing to start: x' });
    expect(restartsForSnapshot(record(), 10_000 + 10 * 60_000 + 1)).toMatchObject({ count: 3, recent: 2 });
    expect(restartsForSnapshot(record({ count: 0, history: [] }), 0)).toBeUndefined();
    expect(restartsForSnapshot(null, 0)).toBeUndefined();
  });

  it('tells attach/status what the supervisor does while the agent is down', () => {
    expect(describeSupervisor(record(), 101_000, true)).toBe(
      'its supervisor (pid 41) restarts it in 3 s: 3 restarts, 3 in a row (crash loop), last 1 s ago: exit code 2: refusing to start: x',
    );
    expect(describeSupervisor(record({ state: 'running', childPid: 77, consecutive: 1 }), 101_000, true)).toMatch(/^its supervisor \(pid 41\) is starting it \(pid 77\): 3 restarts, last/);
    expect(describeSupervisor(record(), 101_000, false)).toMatch(/no supervisor is running/);
  });

  it('keeps its files beside the control socket', () => {
    expect(supervisorStatePathFor('/run/carp-agent.sock')).toBe('/run/carp-agent.supervisor.json');
    expect(exitReasonPathFor('/run/carp-agent.sock')).toBe('/run/carp-agent.exit-reason');
    expect(supervisorStatePathFor('/tmp/x')).toBe('/tmp/x.supervisor.json');
  });
});

// ---- the loop, with real children -----------------------------------------------------------------

/** A stand-in for `carp-agent run`: reads what to do from a file, like the agent reads its config. */
const CHILD = `
const fs = require('fs');
const [mode, arg] = fs.readFileSync(process.argv[1], 'utf8').trim().split(' ');
if (mode === 'refuse') { fs.writeFileSync(process.env.CARP_AGENT_EXIT_REASON, 'refusing to start: ' + arg + '\\n'); process.exit(2); }
if (mode === 'run') {
  fs.writeFileSync(arg, fs.readFileSync(process.env.CARP_AGENT_SUPERVISOR_STATE, 'utf8'));
  process.on('SIGTERM', () => process.exit(0));
  setInterval(() => {}, 1000);
}
`;

let dir: string | undefined;
let sup: Supervisor | undefined;
afterEach(async () => {
  await sup?.stop();
  sup = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function setup(policy: BackoffPolicy) {
  dir = mkdtempSync(join(tmpdir(), 'ar-sup-'));
  const d = dir;
  const mode = join(d, 'mode');
  const config = join(d, 'config.json');
  writeFileSync(config, JSON.stringify({ groups: [{ vhid: 7, interface: 'eth0', addresses: ['198.18.7.100/24'], password: 'pw' }] }));
  // The dead agent's VIP is on eth0, as after a kill -9 of a master.
  const held = new Set(['198.18.7.100']);
  const removedAt: number[] = [];
  const steps: string[] = [];
  const net: SupervisorNet = {
    interfaceAddresses: (i) => (i === 'eth0' ? ['198.18.7.1', ...held] : []),
    removeAddress: (_i, c) => {
      held.delete(c.split('/')[0]);
      removedAt.push(Date.now());
      steps.push(`remove ${c}`);
    },
    bowOut: (g: GroupConfig, demote: number) => void steps.push(`bow-out vhid ${g.vhid} demote ${demote}`),
  };
  const logs: string[] = [];
  const exits: RestartEntry[] = [];
  const startTimes: number[] = [];
  const s = new Supervisor({
    command: [process.execPath, '-e', CHILD, mode],
    configPath: config,
    socketPath: join(d, 'agent.sock'),
    net,
    log: (m) => {
      logs.push(m);
      if (/^agent started/.test(m)) startTimes.push(Date.now());
    },
    policy,
    configPollMs: 20,
  });
  s.onExitHandled = (e) => void (e && exits.push(e));
  sup = s;
  return { s, d, mode, config, held, removedAt, steps, logs, exits, startTimes, statePath: join(d, 'agent.supervisor.json') };
}

const until = async (f: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('supervisor loop', () => {
  it('removes the VIPs after an abnormal exit before restarting, backs off, and starts at once when the config is fixed', async () => {
    const x = setup({ initialMs: 100, maxMs: 400, resetAfterMs: 60_000 });
    writeFileSync(x.mode, 'refuse groups[0].advskew:must-be-0..254');
    x.s.start();
    await until(() => x.exits.length >= 4);
    // The VIP was gone before the first restart.
    expect(x.held.size).toBe(0);
    expect(x.removedAt[0]).toBeLessThan(x.startTimes[1]);
    expect(x.exits[0].removed).toEqual(['198.18.7.100/24 on eth0']);
    // It held the VIP (it was MASTER): bow-out first, then the address; later exits held nothing.
    expect(x.steps).toEqual(['bow-out vhid 7 demote 0', 'remove 198.18.7.100/24']);
    expect(x.exits[1]).toMatchObject({ removed: [], bowedOut: [] });
    expect(x.exits.map((e) => e.delayMs)).toEqual([100, 200, 400, 400]);
    expect(x.exits[0].reason).toBe('exit code 2: refusing to start: groups[0].advskew:must-be-0..254');
    // the waits between starts grow with the backoff
    const gaps = x.startTimes.slice(1, 4).map((t, i) => t - x.startTimes[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThanOrEqual(395);
    const rec = readSupervisorRecord(x.statePath)!;
    expect(rec).toMatchObject({ state: expect.stringMatching(/backoff|running/), supervisorPid: process.pid });
    expect(rec.count).toBeGreaterThanOrEqual(4);
    // The operator fixes the config: the agent starts without sitting out the backoff, and sees its restarts.
    const seen = join(x.d, 'seen.json');
    await until(() => readSupervisorRecord(x.statePath)?.state === 'backoff');
    const n = x.exits.length;
    writeFileSync(x.mode, `run ${seen}`);
    writeFileSync(x.config, readFileSync(x.config, 'utf8') + '\n');
    await until(() => existsSync(seen));
    // No wall-clock bound (the backoff here is at most 400 ms, a bound could not tell): the supervisor says why it started.
    expect(x.logs.join('\n')).toMatch(/changed during the backoff: starting the agent now/);
    const asChild = JSON.parse(readFileSync(seen, 'utf8')) as SupervisorRecord;
    expect(asChild.count).toBe(n);
    expect(restartsForSnapshot(asChild, Date.now())).toMatchObject({ count: n, recent: n, lastReason: expect.stringMatching(/^exit code 2: refusing to start/) });
    // A clean stop: no restart, no cleanup, the state file goes away.
    expect(await x.s.stop()).toBe(0);
    expect(x.exits.length).toBe(n);
    expect(existsSync(x.statePath)).toBe(false);
  });

  it('handles a kill -9 of the agent: VIPs removed within milliseconds (even with the config file broken since), restarted after 1 backoff step', async () => {
    const x = setup({ initialMs: 50, maxMs: 400, resetAfterMs: 60_000 });
    const seen = join(x.d, 'seen.json');
    writeFileSync(x.mode, `run ${seen}`);
    x.s.start();
    await until(() => existsSync(seen));
    const pid = x.s.record().childPid!;
    rmSync(seen);
    // The file was broken by hand since: the addresses of the config the agent started with still go.
    writeFileSync(x.config, '{"groups": [');
    const t0 = Date.now();
    process.kill(pid, 'SIGKILL');
    await until(() => x.held.size === 0);
    const removedMs = x.removedAt[0] - t0;
    expect(removedMs).toBeLessThan(500); // the behaviour, not a speed: on the exit itself, well inside a peer's 3 s master-down
    await until(() => existsSync(seen));
    expect(x.exits).toHaveLength(1);
    expect(x.exits[0]).toMatchObject({ reason: 'killed by SIGKILL (kill -9 or the kernel OOM killer)', delayMs: 50, removed: ['198.18.7.100/24 on eth0'], bowedOut: ['vhid 7 on eth0'] });
    expect(x.steps).toEqual(['bow-out vhid 7 demote 0', 'remove 198.18.7.100/24']);
    expect(x.s.record()).toMatchObject({ state: 'running', count: 1, consecutive: 1 });
    expect(x.logs.join('\n')).toMatch(/config\.json is not usable \(.*not valid JSON.*\): using the addresses of the config the agent started with/);
  });
});
