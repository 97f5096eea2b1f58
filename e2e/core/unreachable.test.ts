// Lab test of the console core when hosts misbehave: an inventory host nobody answers for, hosts
// without an agent, an agent stopped after deploy, and a frozen agent going stale and coming back.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Lab } from '../lab/index.js';
import type { Inventory } from '../../electron/core/inventory/index.js';
import type { SshPool } from '../../electron/core/ssh/index.js';
import type { Console } from '../../electron/core/console.js';
import { consoleLab, closeConsoleLab, BUNDLE, type ConsoleLab } from './console-lab.js';
import { waitFor, sleep } from '../wait.js';
import { deployAll } from '../../electron/core/deploy/index.js';
import type { ConsoleEvent } from '../../electron/core/events.js';
import type { HostView } from '../../electron/core/fleet/types.js';

const LAB_ID = 34;
const GHOST_ADDRESS = `198.19.${LAB_ID}.77`; // on the mgmt subnet, but no host has it
let x: ConsoleLab | undefined;
let lab: Lab;
let inv: Inventory;
let pool: SshPool;
let c: Console;
let t0: number;
const events: Array<{ e: ConsoleEvent; got: number }> = [];

/** waitFor, with the hosts' states in the message when it times out. */
const until = (pred: () => boolean, ms: number, what: string) =>
  waitFor(pred, ms, () => `${what}; hosts: ${JSON.stringify(c.fleetNow().hosts.map((h) => [h.host, h.status, h.error]))}`, 25);

const view = (name: string): HostView => c.fleetNow().hosts.find((h) => h.host === name)!;
const statuses = () => Object.fromEntries(c.fleetNow().hosts.map((h) => [h.host, h.status]));

beforeAll(async () => {
  ({ lab, inv, pool, c } = x = await consoleLab(LAB_ID, {
    extraHosts: (i) => [{ ...i.hosts[0], name: 'ghost', address: GHOST_ADDRESS }],
    beforeConsole: () => {
      t0 = Date.now();
    },
  }));
  c.subscribe((e) => events.push({ e, got: Date.now() }));
});

afterAll(async () => {
  await closeConsoleLab(x);
});

describe('console core with unreachable and broken hosts (lab)', () => {
  it('before any deploy: the 3 real hosts are no-agent, the ghost is unreachable within seconds, commands still run', async () => {
    // the ghost is in the fleet from the start, before anything answered
    expect(c.fleetNow().hosts.map((h) => h.host)).toEqual(['fw1', 'fw2', 'fw3', 'ghost']);
    const execMs = Date.now();
    const r = await c.transportOf('fw2').exec('hostname');
    const hostnameMs = Date.now() - execMs;
    expect(r.stdout).toBe('fw2\n');
    await until(() => ['fw1', 'fw2', 'fw3'].every((h) => view(h).status === 'no-agent'), 10_000, 'fw1..3 no-agent');
    for (const h of ['fw1', 'fw2', 'fw3']) expect(view(h).error).toMatch(/without a snapshot.*deploy the agent/);
    await until(() => !!view('ghost').error, 10_000, 'an error for the ghost');
    const ghostMs = Date.now() - t0;
    console.log(`ghost reported unreachable after ${ghostMs} ms (from console start): ${view('ghost').error}; hostname on fw2 meanwhile took ${hostnameMs} ms`);
    expect(view('ghost').status).toBe('unreachable');
    expect(view('ghost').error).toContain(`ghost (root@${GHOST_ADDRESS}:22)`);
    expect(view('ghost').error).toMatch(/unreachable|did not complete the SSH handshake/);
    // The transport's bound: the SSH handshake timeout (5 s) from the console's start, not TCP's minutes
    // of retries; generous on a loaded machine.
    expect(ghostMs).toBeLessThan(5000 + 5000);
    // The command on fw2 did not wait for the ghost: it was done before the ghost was reported.
    const ghostReported = events.find(({ e }) => e.type === 'host' && e.host === 'ghost' && e.status === 'unreachable')!.got;
    expect(execMs + hostnameMs).toBeLessThan(ghostReported);
    // the change was pushed to subscribers as a host event with the error text
    expect(events.some(({ e }) => e.type === 'host' && e.host === 'ghost' && e.status === 'unreachable' && !!e.error)).toBe(true);
  });

  it('after deploy the 3 hosts are live, the ghost stays unreachable, and an agent command on a live host works', async () => {
    const res = await deployAll(inv.hosts.map((h) => pool.get(h)), { bundleDir: BUNDLE });
    expect(res.map((r) => [r.host, r.ok, r.error])).toEqual([
      ['fw1', true, undefined],
      ['fw2', true, undefined],
      ['fw3', true, undefined],
    ]);
    const liveMs = await until(() => ['fw1', 'fw2', 'fw3'].every((h) => view(h).status === 'live'), 20_000, 'fw1..3 live');
    console.log(`all three live ${liveMs} ms after deploy finished`);
    expect(statuses()).toEqual({ fw1: 'live', fw2: 'live', fw3: 'live', ghost: 'unreachable' });
    expect(view('fw1').agentVersion).toBe(res[0].version);
    const snap = (await c.link('fw1').request({ cmd: 'status' })) as { host?: string; version?: string };
    expect(JSON.stringify(snap)).toContain(res[0].version);
    // the ghost's link keeps retrying (with backoff) without disturbing anyone
    expect(view('ghost').error).toBeTruthy();
  });

  it('an agent stopped on its host shows as no-agent; started again, it is live', async () => {
    const stop = await lab.exec('fw2', '/opt/carp-agent/service.sh stop');
    expect(stop.code).toBe(0);
    const ms = await until(() => view('fw2').status === 'no-agent', 15_000, 'fw2 no-agent');
    console.log(`fw2 no-agent ${ms} ms after service.sh stop: ${view('fw2').error}`);
    expect(view('fw2').error).toMatch(/deploy the agent or check \/var\/log\/carp-agent\.log/);
    expect(statuses()).toEqual({ fw1: 'live', fw2: 'no-agent', fw3: 'live', ghost: 'unreachable' });
    await lab.exec('fw2', '/opt/carp-agent/service.sh start');
    const back = await until(() => view('fw2').status === 'live', 20_000, 'fw2 live again');
    console.log(`fw2 live ${back} ms after service.sh start`);
  });

  it('a frozen agent goes stale within 3 s and is live again after thaw', async () => {
    await until(() => view('fw3').status === 'live', 5000, 'fw3 live');
    let frozenAt = 0;
    let staleMs = 0;
    try {
      frozenAt = Date.now(); // before the freeze: the SIGSTOP comes after it, the last line at most 1 s before that
      const pids = await lab.freeze('fw3', 'node');
      expect(pids.length).toBeGreaterThanOrEqual(1);
      await until(() => view('fw3').status === 'stale', 6000, 'fw3 stale');
      staleMs = Date.now() - frozenAt;
      console.log(`fw3 stale ${staleMs} ms after freezing ${pids.length} node process(es): ${view('fw3').error}`);
      expect(view('fw3').error).toMatch(/no line from the agent for \d+ ms/);
      // The console's rule, not a speed: heartbeats come every 1 s and 2.5 s of silence (checked every
      // 250 ms) make a host stale, so between 1.5 s (last line up to 1 s before the freeze) and 2.75 s
      // after it; the bounds are widened for a loaded machine but still tell the rule from no rule.
      expect(staleMs).toBeGreaterThanOrEqual(1000);
      expect(staleMs).toBeLessThanOrEqual(4000);
      expect(statuses()).toMatchObject({ fw1: 'live', fw2: 'live' });
      // while the agent stays frozen, reconnects (sshd still answers) must not make it look live
      const seen = new Set<string>();
      const end = Date.now() + 2500;
      while (Date.now() < end) {
        seen.add(view('fw3').status);
        await sleep(25);
      }
      expect(seen.has('live')).toBe(false);
    } finally {
      await lab.thaw('fw3', 'node');
    }
    const thawedAt = Date.now();
    const back = await until(() => view('fw3').status === 'live', 20_000, 'fw3 live after thaw');
    console.log(`fw3 live again ${back} ms after thaw (frozen for ${thawedAt - frozenAt} ms)`);
    expect(statuses()).toEqual({ fw1: 'live', fw2: 'live', fw3: 'live', ghost: 'unreachable' });
  });
});
