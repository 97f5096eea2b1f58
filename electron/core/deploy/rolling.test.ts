// The rolling (hitless) upgrade: its pure decisions on plain fleets (order, parallel batch, may a host
// leave, steady, versions, what --parallel hits), then the driver in the real console over fake agents
// with a fake deploy function that restarts the fake agent: order, maintenance on at every install, never
// two members of a group out at once, a failing host stops it with the versions summary.
import { afterEach, describe, expect, it } from 'vitest';
import { buildFleet } from '../fleet/build-fleet.js';
import type { HostReport } from '../fleet/types.js';
import { groupStatus, snapshot } from '../testing/snapshots.js';
import { expectedMaster, expectedRole, mayLeave, parallelHits, planRolling, steadyCheck, versionSummary } from './rolling.js';
import { createConsole, deployProgress, type Console, type DeployFn } from '../console.js';
import { runDeploy } from './rolling-driver.js';
import { fakeFleet, type FakeTransport } from '../testing/fake-agent.js';
import type { ConsoleEvent, DeployStep } from '../events.js';
import { ROLLING_DEPLOY_STEPS } from '../events.js';
import { reduceOps, type Ops } from '../../../renderer/src/logic/progress.js';
import { CONTRACT } from '../contract.js';
import { parseArgs } from '../../cli/args.js';
import { formatDeploy } from '../../cli/carpctl.js';
import { until } from '../testing/until.js';

// ---- pure decisions -------------------------------------------------------------------------------

const V1 = '0.1.0+test';
type G = { vhid: number; state?: 'MASTER' | 'BACKUP' | 'INIT'; advskew: number; preempt?: boolean };
function host(name: string, n: number, groups: G[], over: { status?: HostReport['status']; maintenance?: boolean; version?: string } = {}): HostReport {
  const maint = over.maintenance ?? false;
  return {
    host: name,
    status: over.status ?? 'live',
    lastSeen: 1,
    snapshot: snapshot(
      name,
      groups.map((g) =>
        groupStatus({
          vhid: g.vhid,
          srcip: `198.18.0.${n}`,
          addresses: [`198.18.0.${99 + g.vhid}/24`],
          state: g.state ?? 'BACKUP',
          advskew: g.advskew,
          preempt: g.preempt ?? true,
          ...(maint ? { wireAdvskew: 240, demote: 255 } : {}),
        }),
      ),
      { maintenance: maint, demote: maint ? 255 : 0, agent: { ...snapshot(name, []).agent, version: over.version ?? V1 } },
    ),
  };
}
const noAgent = (name: string): HostReport => ({ host: name, status: 'no-agent', lastSeen: 0, error: 'carp-agent: not found' });

/** vhid 1 mastered by fw1, vhid 2 by fw2, fw3 backup of both; fw4 runs no group; fw5 has no agent yet. */
function twoGroups(over: Partial<Record<string, HostReport>> = {}) {
  const reports = [
    host('fw1', 1, [{ vhid: 1, state: 'MASTER', advskew: 0 }, { vhid: 2, advskew: 100 }]),
    host('fw2', 2, [{ vhid: 1, advskew: 100 }, { vhid: 2, state: 'MASTER', advskew: 0 }]),
    host('fw3', 3, [{ vhid: 1, advskew: 50 }, { vhid: 2, advskew: 50 }]),
    host('fw4', 4, []),
    noAgent('fw5'),
  ].map((r) => over[r.host] ?? r);
  return buildFleet(reports, 2);
}

describe('rolling decisions', () => {
  it('orders hosts with groups one at a time, backups first, and sends the rest together', () => {
    const plan = planRolling(twoGroups(), ['fw1', 'fw2', 'fw3', 'fw4', 'fw5']);
    expect(plan.sequence.map((h) => [h.host, h.masters.length])).toEqual([['fw3', 0], ['fw1', 1], ['fw2', 1]]);
    expect(plan.sequence[1].groups).toEqual(['198.18.0.0/24#1', '198.18.0.0/24#2']);
    expect(plan.parallel).toEqual([
      { host: 'fw4', why: 'its agent runs no group' },
      { host: 'fw5', why: 'no agent answers yet (first install)' },
    ]);
    // A host already on the version is only checked, with the parallel batch; only the named hosts are planned.
    const again = planRolling(twoGroups({ fw3: host('fw3', 3, [{ vhid: 1, advskew: 50 }, { vhid: 2, advskew: 50 }], { version: '0.2.0' }) }), ['fw2', 'fw3'], { version: '0.2.0' });
    expect(again).toEqual({ sequence: [{ host: 'fw2', groups: ['198.18.0.0/24#1', '198.18.0.0/24#2'], masters: ['198.18.0.0/24#2'] }], parallel: [{ host: 'fw3', why: 'already runs 0.2.0' }] });
    // Masters of more groups go later.
    const lanWan = buildFleet([host('a', 1, [{ vhid: 1, state: 'MASTER', advskew: 0 }, { vhid: 2, state: 'MASTER', advskew: 0 }]), host('b', 2, [{ vhid: 1, advskew: 9 }, { vhid: 3, state: 'MASTER', advskew: 0 }]), host('c', 3, [{ vhid: 2, advskew: 9 }, { vhid: 3, advskew: 9 }])], 1);
    expect(planRolling(lanWan, ['a', 'b', 'c']).sequence.map((h) => h.host)).toEqual(['c', 'b', 'a']);
  });

  it('on a tie for best a host is steady as BACKUP or MASTER, as the race went; a tie never preempts a tied master', () => {
    // fw1 (.1) comes back tied with fw3 (.3) in vhid 1 (advskew 50, preempt): fw3 holds it and keeps it.
    const tie = (fw1: 'MASTER' | 'BACKUP', fw3: 'MASTER' | 'BACKUP') =>
      twoGroups({
        fw1: host('fw1', 1, [{ vhid: 1, advskew: 50, state: fw1 }, { vhid: 2, advskew: 100 }], { version: '0.2.0' }),
        fw3: host('fw3', 3, [{ vhid: 1, advskew: 50, state: fw3 }, { vhid: 2, advskew: 50 }]),
      });
    expect(expectedRole(tie('BACKUP', 'MASTER').groups[0], 'fw1')).toBe('BACKUP');
    expect(steadyCheck(tie('BACKUP', 'MASTER'), 'fw1')).toMatchObject({ steady: true });
    // Nobody held it and fw1 won the race: steady too (a lower-address rule would have wanted fw1 in both).
    expect(expectedRole(tie('MASTER', 'BACKUP').groups[0], 'fw1')).toBe('either');
    expect(steadyCheck(tie('MASTER', 'BACKUP'), 'fw1')).toEqual({ steady: true, why: 'MASTER in vhid 1, BACKUP in vhid 2' });
    expect(expectedRole(tie('MASTER', 'BACKUP').groups[0], 'fw3')).toBe('BACKUP');
  });

  it('lets a host leave only when every other member of its groups is in service', () => {
    expect(mayLeave(twoGroups(), 'fw1')).toEqual({ ok: true });
    const down = twoGroups({ fw3: { ...host('fw3', 3, [{ vhid: 1, advskew: 50 }, { vhid: 2, advskew: 50 }]), status: 'unreachable' } });
    const r = mayLeave(down, 'fw2');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.why).toMatch(/^198\.18\.0\.0\/24 vhid 1 already has fw3 unreachable out of service; 198\.18\.0\.0\/24 vhid 2 already has fw3 unreachable out of service; taking fw2 out now would leave those groups without a standby/);
    const maint = twoGroups({ fw2: host('fw2', 2, [{ vhid: 1, advskew: 100 }, { vhid: 2, advskew: 0 }], { maintenance: true }) });
    expect(mayLeave(maint, 'fw3')).toMatchObject({ ok: false, why: expect.stringContaining('fw2 in maintenance') });
    const single = buildFleet([host('fw1', 1, [{ vhid: 7, state: 'MASTER', advskew: 0 }])], 1);
    expect(mayLeave(single, 'fw1')).toMatchObject({ ok: false, why: expect.stringContaining('vhid 7 has no other member: upgrading fw1 drops it') });
  });

  it('calls a host steady when live on the version, out of maintenance, BACKUP or MASTER again where it preempts and is best, with no error finding', () => {
    // fw1 is back (new version) but still BACKUP of vhid 1, which it preempts as the best: not yet.
    const back = (fw1: G[], fw3v1: 'MASTER' | 'BACKUP', o: { version?: string; maintenance?: boolean } = {}) =>
      twoGroups({
        fw1: host('fw1', 1, fw1, { version: o.version ?? '0.2.0', maintenance: o.maintenance }),
        fw3: host('fw3', 3, [{ vhid: 1, advskew: 50, state: fw3v1 }, { vhid: 2, advskew: 50 }]),
      });
    const waiting = back([{ vhid: 1, advskew: 0 }, { vhid: 2, advskew: 100 }], 'MASTER');
    expect(steadyCheck(waiting, 'fw1', { version: '0.2.0' })).toEqual({ steady: false, why: 'fw1 is BACKUP in vhid 1, waiting for MASTER (it preempts and is the best)' });
    const split = back([{ vhid: 1, advskew: 0, state: 'MASTER' }, { vhid: 2, advskew: 100 }], 'MASTER');
    expect(steadyCheck(split, 'fw1', { version: '0.2.0' })).toMatchObject({ steady: false, why: expect.stringMatching(/vhid 1 has 2 masters|split brain/) });
    const ok = back([{ vhid: 1, advskew: 0, state: 'MASTER' }, { vhid: 2, advskew: 100 }], 'BACKUP');
    expect(steadyCheck(ok, 'fw1', { version: '0.2.0' })).toEqual({ steady: true, why: 'MASTER in vhid 1, BACKUP in vhid 2' });
    expect(steadyCheck(ok, 'fw1', { version: '0.3.0' })).toEqual({ steady: false, why: 'fw1 runs 0.2.0, not 0.3.0' });
    const inMaint = back([{ vhid: 1, advskew: 0 }, { vhid: 2, advskew: 100 }], 'MASTER', { maintenance: true });
    expect(steadyCheck(inMaint, 'fw1')).toEqual({ steady: false, why: 'fw1 is still in maintenance' });
    expect(steadyCheck(inMaint, 'fw1', { inMaintenance: true })).toEqual({ steady: true, why: 'BACKUP in vhid 1, BACKUP in vhid 2' });
    // Without preempt the best member stays BACKUP while another holds the group...
    const noPreempt = back([{ vhid: 1, advskew: 0, preempt: false }, { vhid: 2, advskew: 100 }], 'MASTER');
    expect(expectedMaster(noPreempt.groups[0], 'fw1')).toBe(false);
    expect(steadyCheck(noPreempt, 'fw1')).toMatchObject({ steady: true });
    // ...but takes a group nobody holds (its master-down timer runs out).
    const noMaster = back([{ vhid: 1, advskew: 0, preempt: false }, { vhid: 2, advskew: 100 }], 'BACKUP');
    expect(steadyCheck(noMaster, 'fw1')).toMatchObject({ steady: false, why: 'fw1 is BACKUP in vhid 1, waiting for MASTER (it is the best and nobody holds the group)' });
    // An error finding for one of its groups (split brain elsewhere in vhid 2) keeps it from being steady.
    const splitElsewhere = twoGroups({
      fw1: host('fw1', 1, [{ vhid: 1, advskew: 0, state: 'MASTER' }, { vhid: 2, advskew: 100 }], { version: '0.2.0' }),
      fw3: host('fw3', 3, [{ vhid: 1, advskew: 50 }, { vhid: 2, advskew: 50, state: 'MASTER' }]),
    });
    expect(steadyCheck(splitElsewhere, 'fw1')).toEqual({ steady: false, why: expect.stringMatching(/^198\.18\.0\.0\/24 vhid 2: fw2 and fw3 are all MASTER \(split brain\)/) });
    expect(steadyCheck(twoGroups(), 'fw5')).toEqual({ steady: false, why: "fw5's agent is no-agent" });
  });

  it('says which host runs which version, the target first', () => {
    const f = twoGroups({ fw3: host('fw3', 3, [{ vhid: 1, advskew: 50 }], { version: '0.2.0' }), fw2: { ...host('fw2', 2, [{ vhid: 1, advskew: 100 }]), status: 'unreachable' } });
    expect(versionSummary(f, ['fw1', 'fw2', 'fw3', 'fw5'], '0.2.0')).toEqual({
      versions: [
        { version: '0.2.0', hosts: ['fw3'] },
        { version: V1, hosts: ['fw1'] },
        { version: `${V1} last known (unreachable)`, hosts: ['fw2'] },
        { version: 'no agent', hosts: ['fw5'] },
      ],
      text: `fw3 runs 0.2.0; fw1 runs ${V1}; fw2: ${V1} last known (unreachable); fw5: no agent`,
    });
    expect(versionSummary(twoGroups(), ['fw1', 'fw2']).text).toBe(`fw1, fw2 run ${V1}`);
  });

  it('names what --parallel hits: live hosts with groups that restart, with who restarts with them', () => {
    const hits = parallelHits(twoGroups(), ['fw1', 'fw2', 'fw3', 'fw4', 'fw5']);
    expect(hits.map((h) => h.host)).toEqual(['fw1', 'fw2', 'fw3']);
    expect(hits[0].detail).toMatch(/^--parallel restarts fw1 without moving its groups first: 198\.18\.0\.0\/24 vhid 1 MASTER \(restarted together with fw2, fw3: every live member at once\)/);
    expect(hits[0].detail).toMatch(/without a master for about its master-down time/);
    expect(parallelHits(twoGroups(), ['fw4', 'fw5'])).toEqual([]);
    expect(parallelHits(twoGroups(), ['fw1'])[0].detail).toMatch(/vhid 1 MASTER, 198\.18\.0\.0\/24 vhid 2; its groups fail over on the restart/);
  });

  it('rolling progress goes 0..1 in step order, and the renderer shows the host running until done', () => {
    const fr = ROLLING_DEPLOY_STEPS.map((s) => deployProgress(s, true));
    expect(fr[0]).toBe(0);
    expect(fr.at(-1)).toBe(1);
    expect(fr.every((x, i) => i === 0 || x > fr[i - 1])).toBe(true);
    expect(deployProgress('connect')).toBe(0); // a host deployed directly keeps DEPLOY_STEPS
    expect(deployProgress('warning')).toBe(0);
    let ops: Ops = {};
    for (const [i, step] of ROLLING_DEPLOY_STEPS.entries()) {
      ops = reduceOps(ops, { type: 'deploy', at: i, op: 'd', host: 'fw1', step, progress: deployProgress(step, true) });
      expect(ops.d.hosts.fw1.state).toBe(step === 'done' ? 'ok' : 'running');
    }
  });
});

describe('deploy options at the edges', () => {
  it('the contract takes { parallel } for deploy and refuses anything else; carpctl takes --parallel', () => {
    expect(CONTRACT.deploy.args.parse([undefined, { parallel: true, op: 'd-1' }])).toEqual([undefined, { parallel: true, op: 'd-1' }]);
    expect(() => CONTRACT.deploy.args.parse([undefined, { parallel: 'yes' }])).toThrow();
    expect(() => CONTRACT.deploy.args.parse([undefined, { rolling: false }])).toThrow();
    const a = parseArgs(['deploy', 'fw1', '--parallel']);
    expect(a.words).toEqual(['deploy', 'fw1']);
    expect(a.flags.has('--parallel')).toBe(true);
  });

  it('carpctl prints one line per host and which host runs which version', () => {
    expect(
      formatDeploy([
        { host: 'fw3', ok: true, version: '0.2.0', running: '0.2.0' },
        { host: 'fw1', ok: false, version: '0.2.0', running: '0.1.0', error: 'did not answer. The rolling upgrade stopped here: fw3 runs 0.2.0; fw1, fw2 run 0.1.0' },
        { host: 'fw2', ok: false, notAttempted: true, running: '0.1.0', error: 'not upgraded: the rolling upgrade stopped at fw1; fw2 runs 0.1.0' },
      ]),
    ).toBe(
      [
        'fw3: ok 0.2.0',
        'fw1: FAILED: did not answer. The rolling upgrade stopped here: fw3 runs 0.2.0; fw1, fw2 run 0.1.0',
        'fw2: NOT UPGRADED: not upgraded: the rolling upgrade stopped at fw1; fw2 runs 0.1.0',
        'versions: fw3 runs 0.2.0; fw1, fw2 run 0.1.0',
      ].join('\n'),
    );
  });
});

// ---- the driver, over fake agents ------------------------------------------------------------------

const GROUPS = [
  { vhid: 1, addresses: ['198.18.0.100/24'], order: { fw1: 0, fw2: 100, fw3: 50 } },
  { vhid: 2, addresses: ['198.18.0.101/24'], order: { fw1: 100, fw2: 0, fw3: 50 } },
];

let cleanup: Array<() => void> = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});


interface Install {
  host: string;
  maintenance: boolean;
  /** Members of each vhid out of service (maintenance or down) when the install started, this host included. */
  outAtInstall: Record<number, number>;
}

/**
 * 3 fake hosts with vhid 1 (master fw1) and vhid 2 (master fw2); a fake deploy function that restarts the
 * fake agent (crash, boot) on the new version, or fails and rolls back for the hosts in `failOn`.
 */
async function world(o: { failOn?: string[]; version?: string; deployVersion?: string } = {}) {
  const f = fakeFleet(3, 50);
  const byName = new Map<string, FakeTransport>(f.transports.map((t) => [t.host.name, t]));
  const versions = new Map<string, string>(f.agents.map((a) => [a.host, '0.1.0+fake']));
  for (const a of f.agents) {
    const orig = a.snapshot.bind(a);
    a.snapshot = () => {
      const s = orig();
      return { ...s, agent: { ...s.agent, version: versions.get(a.host)! } };
    };
  }
  // Ground truth at every change the fake LAN sees: how many members of each vhid are out of service.
  const maxOut: Record<number, number> = {};
  const outNow = (): Record<number, number> => {
    const r: Record<number, number> = {};
    for (const g of GROUPS) r[g.vhid] = f.agents.filter((a) => a.groups.some((x) => x.config.vhid === g.vhid) && (a.maintenance || !a.up)).length;
    return r;
  };
  const elect = f.net.elect.bind(f.net);
  f.net.elect = () => {
    for (const [v, n] of Object.entries(outNow())) maxOut[+v] = Math.max(maxOut[+v] ?? 0, n);
    elect();
  };
  const installs: Install[] = [];
  const calls: string[][] = [];
  const target = o.version ?? '0.2.0';
  const deploy: DeployFn = async (ts, onProgress) => {
    calls.push(ts.map((t) => t.host.name));
    return Promise.all(
      ts.map(async (t) => {
        const host = t.host.name;
        const a = (t as FakeTransport).agent;
        const p = (step: DeployStep, detail?: string) => onProgress({ host, step, at: Date.now(), ...(detail ? { detail } : {}) });
        if (!(t as FakeTransport).reachable) {
          p('failed', `${host}: connect ECONNREFUSED`);
          return { host, ok: false, error: `${host}: connect ECONNREFUSED` };
        }
        for (const step of ['connect', 'detect', 'check-node', 'upload', 'verify', 'install-service'] as const) p(step);
        if (versions.get(host) === target) {
          p('done', `${target} already installed and answering`);
          return { host, ok: true, version: target };
        }
        installs.push({ host, maintenance: a.maintenance, outAtInstall: outNow() });
        p('start', `stopping ${versions.get(host)}, starting ${target}`);
        const restart = async (v: string) => {
          a.crash();
          await new Promise((r) => setTimeout(r, 40));
          versions.set(host, v);
          a.boot();
        };
        const previous = versions.get(host)!;
        await restart(target);
        p('handshake');
        if (o.failOn?.includes(host)) {
          await restart(previous);
          p('rolled-back', `${target} failed (did not answer); ${previous} restored and answering`);
          return { host, ok: false, version: target, error: `${host}: carp-agent ${target} did not answer within 3000 ms` };
        }
        p('done', target);
        return { host, ok: true, version: target };
      }),
    );
  };
  const c: Console = createConsole({
    hosts: f.transports.map((t) => t.host),
    transport: (h) => byName.get(h.name)!,
    link: { staleMs: 300, backoffMinMs: 20, backoffMaxMs: 100 },
    maintenanceTimeouts: { handoverMs: 1500, exitMs: 1000, pollMs: 20 },
    rollingTimeouts: { agentMs: 2000, exitMs: 1000, steadyMs: 2000, dwellMs: 100 },
    deploy,
    ...(o.deployVersion ? { deployVersion: () => o.deployVersion } : {}),
  });
  cleanup.push(() => {
    c.close();
    (f.net).stop();
  });
  await c.ready(2000);
  for (const g of GROUPS) {
    const r = await c.applyGroup({ vhid: g.vhid, interface: 'eth0', addresses: g.addresses, password: 'pw', members: Object.entries(g.order).map(([h, advskew]) => ({ host: h, advskew, preempt: true })) });
    expect(r.ok).toBe(true);
  }
  await until(() => c.fleetNow().groups.length === 2 && c.fleetNow().groups[0].master === 'fw1' && c.fleetNow().groups[1].master === 'fw2' && c.fleetNow().hosts.every((h) => h.status === 'live'));
  for (const k of Object.keys(maxOut)) delete maxOut[+k];
  const events: ConsoleEvent[] = [];
  c.subscribe((e) => events.push(e));
  return { ...f, c, events, installs, calls, maxOut, versions };
}

const deploySteps = (events: ConsoleEvent[], host: string) =>
  events.flatMap((e) => (e.type === 'deploy' && e.host === host ? [e.step] : [])).filter((s, i, a) => i === 0 || a[i - 1] !== s);

describe('deploy on a kernel-CARP host', () => {
  it('installs nothing on a host the fleet knows runs kernel CARP, says why, and carpctl prints it', async () => {
    const reports = [host('fw1', 1, [{ vhid: 1, state: 'MASTER', advskew: 0 }]), host('fw2', 2, [{ vhid: 1, advskew: 100 }])];
    reports[0].snapshot = { ...reports[0].snapshot!, kernel: { system: 'openbsd', label: 'OpenBSD 7.6' } };
    const fleet = buildFleet(reports, 1);
    const deployed: string[][] = [];
    const events: ConsoleEvent[] = [];
    const rs = await runDeploy(
      {
        now: () => 1,
        fleet: () => fleet,
        onFleet: () => () => {},
        request: async () => ({}),
        reconnect: () => {},
        deploy: async (hs) => {
          deployed.push(hs);
          return hs.map((h) => ({ host: h, ok: true, version: V1 }));
        },
        version: () => V1,
        maintenanceEnv: () => {
          throw new Error('not used with --parallel');
        },
        emit: (e) => events.push(e),
        timeouts: { agentMs: 10, exitMs: 10, steadyMs: 10, dwellMs: 1 },
      },
      ['fw1', 'fw2'],
      { parallel: true },
    );
    expect(deployed).toEqual([['fw2']]);
    expect(rs.map((r) => [r.host, r.ok, r.kernel !== undefined])).toEqual([['fw1', true, true], ['fw2', true, false]]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'deploy', host: 'fw1', step: 'done', detail: expect.stringMatching(/^fw1 runs OpenBSD: CARP runs in its kernel/) }));
    expect(formatDeploy(rs).split('\n')[0]).toMatch(/^fw1: no agent needed: fw1 runs OpenBSD: CARP runs in its kernel \(carp\(4\)\), so no agent is needed and nothing was installed; the console reads and drives it over SSH/);
  });
});

describe('rolling upgrade (fake agents)', () => {
  it('upgrades one host at a time, backups first, each in maintenance at its install, never two members of a group out', async () => {
    const { c, events, installs, calls, maxOut } = await world();
    const r = await c.deploy(undefined, { op: 'up-1' });
    expect(r).toEqual(['fw1', 'fw2', 'fw3'].map((host) => ({ host, ok: true, version: '0.2.0', running: '0.2.0' })));
    // Order: fw3 masters nothing; fw1 and fw2 master one group each. One deploy call per host.
    expect(installs.map((i) => i.host)).toEqual(['fw3', 'fw1', 'fw2']);
    expect(calls).toEqual([['fw3'], ['fw1'], ['fw2']]);
    expect(installs.every((i) => i.maintenance)).toBe(true);
    expect(installs.map((i) => i.outAtInstall)).toEqual([{ 1: 1, 2: 1 }, { 1: 1, 2: 1 }, { 1: 1, 2: 1 }]);
    expect(maxOut).toEqual({ 1: 1, 2: 1 });
    for (const h of ['fw1', 'fw2', 'fw3']) {
      expect(deploySteps(events, h)).toEqual(['queued', 'maintenance-on', 'handover', 'connect', 'detect', 'check-node', 'upload', 'verify', 'install-service', 'start', 'handshake', 'installed', 'maintenance-off', 'steady', 'done']);
      const ps = events.flatMap((e) => (e.type === 'deploy' && e.host === h ? [e.progress] : []));
      expect(ps.every((x, i) => i === 0 || x >= ps[i - 1])).toBe(true);
      expect(ps.at(-1)).toBe(1);
    }
    expect(events.filter((e) => e.type === 'deploy').every((e) => e.type === 'deploy' && e.op === 'up-1')).toBe(true);
    // One at a time: a host starts (maintenance-on) only after the one before it is done.
    const first = (h: string, step: string) => events.findIndex((e) => e.type === 'deploy' && e.host === h && e.step === step);
    expect(first('fw1', 'maintenance-on')).toBeGreaterThan(first('fw3', 'done'));
    expect(first('fw2', 'maintenance-on')).toBeGreaterThan(first('fw1', 'done'));
    // The handover was proven before the install: fw1's vhid 1 went to fw3 (its successor) first.
    const handover = events.find((e) => e.type === 'deploy' && e.host === 'fw1' && e.step === 'handover' && /handed over/.test(e.detail ?? ''));
    expect(handover).toMatchObject({ detail: 'handed over 198.18.0.0/24#1 to fw3; fw1 masters nothing now' });
    expect(events.indexOf(handover!)).toBeLessThan(first('fw1', 'start'));
    // The new agent came back in maintenance (the state survives the restart) and took nothing.
    expect(events.find((e) => e.type === 'deploy' && e.host === 'fw1' && e.step === 'installed' && /back, in maintenance/.test(e.detail ?? ''))).toBeDefined();
    // Everything back where it was, on the new version.
    const f = c.fleetNow();
    expect(f.groups.map((g) => g.master)).toEqual(['fw1', 'fw2']);
    expect(f.hosts.map((h) => [h.agentVersion, h.maintenance])).toEqual([['0.2.0', false], ['0.2.0', false], ['0.2.0', false]]);
    expect(f.findings.filter((x) => x.severity === 'error' || x.kind === 'maintenance')).toEqual([]);
  });

  it('stops at a host whose new version fails its handshake, returns it to service, and says who runs what', async () => {
    const { c, events, installs, maxOut, agents } = await world({ failOn: ['fw1'] });
    const r = await c.deploy(undefined, { op: 'up-2' });
    expect(installs.map((i) => i.host)).toEqual(['fw3', 'fw1']); // fw2 never touched
    const byHost = Object.fromEntries(r.map((x) => [x.host, x]));
    expect(byHost.fw3).toEqual({ host: 'fw3', ok: true, version: '0.2.0', running: '0.2.0' });
    expect(byHost.fw1).toMatchObject({ ok: false, version: '0.2.0', running: '0.1.0+fake' });
    expect(byHost.fw1.error).toMatch(/^fw1: carp-agent 0\.2\.0 did not answer within 3000 ms; fw1 is back in service on 0\.1\.0\+fake\. The rolling upgrade stopped here: fw3 runs 0\.2\.0; fw1, fw2 run 0\.1\.0\+fake$/);
    expect(byHost.fw2).toMatchObject({ ok: false, notAttempted: true, running: '0.1.0+fake', error: 'not upgraded: the rolling upgrade stopped at fw1; fw2 runs 0.1.0+fake' });
    expect(maxOut).toEqual({ 1: 1, 2: 1 });
    // fw1 ends rolled back (the renderer's state), with the summary as its last word; nobody is left in maintenance.
    const last = events.filter((e) => e.type === 'deploy' && e.host === 'fw1').at(-1);
    expect(last).toMatchObject({ step: 'rolled-back', detail: expect.stringContaining('The rolling upgrade stopped here: fw3 runs 0.2.0; fw1, fw2 run 0.1.0+fake') });
    expect(deploySteps(events, 'fw2')).toEqual(['queued', 'failed']);
    expect(agents.map((a) => a.maintenance)).toEqual([false, false, false]);
    await until(() => c.fleetNow().groups[0].master === 'fw1');
  });

  it('stops before installing when the handover is not proven in time, and switches maintenance off again', async () => {
    const { c, net, installs, agents } = await world();
    net.handoverDelayMs = 5000; // nobody takes over within handoverMs (1500)
    const r = await c.deploy();
    expect(installs.map((i) => i.host)).toEqual(['fw3']); // fw3 masters nothing: nothing to wait for
    expect(r.find((x) => x.host === 'fw1')!.error).toMatch(
      /^not upgraded: taking fw1 out of service stopped at handover: no new master reported within 1500 ms for 198\.18\.0\.0\/24#1.*; maintenance switched off again, nothing was installed\. The rolling upgrade stopped here: fw3 runs 0\.2\.0; fw1, fw2 run 0\.1\.0\+fake$/,
    );
    expect(r.find((x) => x.host === 'fw2')).toMatchObject({ ok: false, notAttempted: true });
    expect(agents.map((a) => a.maintenance)).toEqual([false, false, false]);
  }, 10_000);

  it('does not take a host out while another member of its groups is down, and sends hosts without a running agent together', async () => {
    const { c, agents, transports, events, installs, calls } = await world();
    transports[2].reachable = false;
    agents[2].crash();
    await until(() => c.fleetNow().hosts[2].status !== 'live');
    const r = await c.deploy();
    expect(calls[0]).toEqual(['fw3']); // the parallel batch (it fails: unreachable, in the fake as over SSH)
    expect(installs).toEqual([]);
    expect(r.find((x) => x.host === 'fw3')).toMatchObject({ ok: false, error: 'fw3: connect ECONNREFUSED' });
    const fw1 = r.find((x) => x.host === 'fw1')!;
    expect(fw1.ok).toBe(false);
    expect(fw1.error).toMatch(/^not upgraded: 198\.18\.0\.0\/24 vhid 1 already has fw3 (unreachable|stale) out of service; .*bring the member back first, or deploy with --parallel/);
    expect(r.find((x) => x.host === 'fw2')).toMatchObject({ ok: false, notAttempted: true });
    expect(agents.map((a) => a.maintenance)).toEqual([false, false, false]);
    expect(events.some((e) => e.type === 'deploy' && e.step === 'maintenance-on')).toBe(false);
  });

  it('--parallel restarts every host at once, as before, with a warning per host whose groups it hits', async () => {
    const { c, events, calls, maxOut } = await world();
    const r = await c.deploy(undefined, { parallel: true, op: 'par' });
    expect(r.every((x) => x.ok)).toBe(true);
    expect(calls).toEqual([['fw1', 'fw2', 'fw3']]);
    const warnings = events.filter((e) => e.type === 'deploy' && e.step === 'warning');
    expect(warnings.map((e) => e.type === 'deploy' && [e.host, e.progress, e.op])).toEqual([['fw1', 0, 'par'], ['fw2', 0, 'par'], ['fw3', 0, 'par']]);
    expect(warnings[0]).toMatchObject({ detail: expect.stringMatching(/^--parallel restarts fw1 without moving its groups first/) });
    expect(maxOut[1]).toBe(3); // what the rolling upgrade avoids
  });

  it('leaves hosts already on the version out of maintenance (they are only checked)', async () => {
    const { c, events, versions, installs } = await world({ deployVersion: '0.2.0' });
    versions.set('fw2', '0.2.0');
    versions.set('fw3', '0.2.0');
    // the fake agents report their version in every snapshot: reconnect to pick it up
    for (const h of ['fw2', 'fw3']) {
      c.link(h).stop();
      c.link(h).start();
    }
    await until(() => c.fleetNow().hosts.filter((h) => h.agentVersion === '0.2.0').length === 2);
    const r = await c.deploy();
    expect(r.every((x) => x.ok && x.running === '0.2.0')).toBe(true);
    expect(installs.map((i) => i.host)).toEqual(['fw1']);
    expect(deploySteps(events, 'fw2')).toEqual(['connect', 'detect', 'check-node', 'upload', 'verify', 'install-service', 'done']);
    expect(deploySteps(events, 'fw1')[0]).toBe('queued');
  });

  it('refuses a second deploy while one runs', async () => {
    const { c } = await world();
    const first = c.deploy();
    await expect(c.deploy()).rejects.toMatchObject({ code: 'refused' });
    await first;
  });
});
