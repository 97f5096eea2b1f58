// Lab test of the rolling, hitless agent upgrade (issue 8 "Faults lose nothing"): two groups on 3 real
// hosts (vhid 1 mastered by fw1, vhid 2 by fw2), a changed agent bundle with a new version deployed
// through the console as the GUI and carpctl do (openConsole: the real deploy function), while a probe
// runs on each VIP at 100/s. At most 1 lost probe per group; every host ends on the new version; the
// events show one host at a time, each in maintenance (handover proven) before its agent restarts, which a
// parallel deploy would fail. Then carpctl deploy --parallel, for contrast: its warnings and its figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Lab, ProbeResult, RunningProbe } from '../lab/index.js';
import { consoleLab, closeConsoleLab, BUNDLE, type ConsoleLab } from '../core/console-lab.js';
import { openConsole, type OpenedConsole } from '../../electron/core/open.js';
import { deployAll, readManifest } from '../../electron/core/deploy/index.js';
import type { ConsoleEvent } from '../../electron/core/events.js';
import type { GroupSpecInput } from '../../electron/core/commands/group-spec.js';
import { waitFor, sleep } from '../wait.js';

const LAB_ID = 60;
const VIP1 = `198.18.${LAB_ID}.100`;
const VIP2 = `198.18.${LAB_ID}.101`;

/** e2e/demo/group.yaml on lab 60's LAN, and a second group whose master order differs (fw2 first). */
const GROUPS: GroupSpecInput[] = [
  {
    vhid: 1,
    name: 'lan-gateway',
    interface: 'eth0',
    addresses: [`${VIP1}/24`],
    password: 'demo-secret',
    advbase: 1,
    members: [
      { host: 'fw1', advskew: 0, preempt: true },
      { host: 'fw2', advskew: 100, preempt: true },
      { host: 'fw3', advskew: 50, preempt: true },
    ],
  },
  {
    vhid: 2,
    name: 'lan-second',
    interface: 'eth0',
    addresses: [`${VIP2}/24`],
    password: 'demo-secret-2',
    advbase: 1,
    members: [
      { host: 'fw1', advskew: 100, preempt: true },
      { host: 'fw2', advskew: 0, preempt: true },
      { host: 'fw3', advskew: 50, preempt: true },
    ],
  },
];

let x: ConsoleLab | undefined;
let lab: Lab;
let up: OpenedConsole | undefined;
let dir: string;
let v1: string;
const probes: RunningProbe[] = [];

/**
 * A copy of the bundle under another version: the version is baked into carp-agent.js (agentVersion()
 * returns the string the build injected) and written in package.json and the manifest; the handshake
 * compares what the running agent reports with the manifest's version, so all three change together,
 * and the manifest's checksums follow the edited files.
 */
function bundleWithVersion(from: string, to: string, version: string): string {
  cpSync(from, to, { recursive: true });
  const old = readManifest(from).version;
  const js = readFileSync(join(to, 'carp-agent.js'), 'utf8');
  const n = js.split(JSON.stringify(old)).length - 1;
  if (n < 1) throw new Error(`the version ${old} is not in ${from}/carp-agent.js: the build changed how it injects it`);
  writeFileSync(join(to, 'carp-agent.js'), js.split(JSON.stringify(old)).join(JSON.stringify(version)));
  writeFileSync(join(to, 'package.json'), JSON.stringify({ type: 'commonjs', version }) + '\n');
  const m = JSON.parse(readFileSync(join(to, 'manifest.json'), 'utf8')) as { version: string; files: Array<{ path: string; sha256: string; size: number }> };
  m.version = version;
  for (const f of m.files) {
    if (f.path !== 'carp-agent.js' && f.path !== 'package.json') continue;
    const data = readFileSync(join(to, f.path));
    f.sha256 = createHash('sha256').update(data).digest('hex');
    f.size = data.length;
  }
  writeFileSync(join(to, 'manifest.json'), JSON.stringify(m, null, 2) + '\n');
  return to;
}

/**
 * A consistent copy of agent/dist (others may rebuild it while this runs): copied, then every file checked
 * against the copied manifest; retried until a copy matches.
 */
async function snapshotBundle(to: string): Promise<string> {
  for (let i = 0; ; i++) {
    rmSync(to, { recursive: true, force: true });
    try {
      cpSync(BUNDLE, to, { recursive: true });
      const m = readManifest(to);
      const bad = m.files.filter((f) => createHash('sha256').update(readFileSync(join(to, f.path))).digest('hex') !== f.sha256);
      if (!bad.length) return to;
    } catch {
      /* mid-build: try again */
    }
    if (i >= 60) throw new Error(`no consistent copy of ${BUNDLE} in 60 s (is it being rebuilt?); run npm run build`);
    await sleep(1000);
  }
}

const nextVersion = (v: string, tag: string) => v.replace(/^(\d+)\.(\d+)\.(\d+)/, (_, a, b, c) => `${a}.${b}.${Number(c) + 1}`).replace(/\+.*$/, (h) => `${h}.${tag}`);

let v1Bundle: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cs60-'));
  v1Bundle = await snapshotBundle(join(dir, 'v1'));
  v1 = readManifest(v1Bundle).version;
  ({ lab } = x = await consoleLab(LAB_ID));
  // consoleLab builds agent/dist only when it is missing; the copy above is what the hosts run.
  const pool = x.pool;
  const dep = await deployAll(x.inv.hosts.map((h) => pool.get(h)), { bundleDir: v1Bundle });
  expect(dep.filter((r) => !r.ok)).toEqual([]);
  await waitFor(() => x!.c.fleetNow().hosts.every((h) => h.status === 'live'), 20_000, 'all agents live');
  for (const g of GROUPS) {
    const r = await x.c.applyGroup(g);
    expect(r.summary).toMatch(/^applied/);
  }
  await waitFor(() => x!.c.fleetNow().groups.map((g) => g.master).join() === 'fw1,fw2', 15_000, 'fw1 master of vhid 1, fw2 of vhid 2');
});

afterAll(async () => {
  for (const p of probes) await p.stop().catch(() => undefined);
  up?.close();
  await closeConsoleLab(x);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function probeLine(vip: string, r: ProbeResult): string {
  return `${vip}: sent ${r.sent}, lost ${r.lost}, longest gap ${r.longestGapMs} ms`;
}

describe('rolling upgrade (lab)', () => {
  it('upgrades 3 hosts carrying 2 groups one at a time with at most 1 lost probe per VIP, and every host ends on the new version', async () => {
    const v2 = nextVersion(v1, 'rolling');
    const bundle = bundleWithVersion(v1Bundle, join(dir, 'v2'), v2);
    // The console as carpctl and the GUI open it: the real deploy function on this bundle.
    up = openConsole({ inventory: JSON.stringify(lab.info), bundleDir: bundle, ssh: { agentSocket: null, defaultIdentityFiles: [] } });
    const c = up.console;
    await c.ready(15_000);
    await waitFor(() => c.fleetNow().hosts.every((h) => h.status === 'live') && c.fleetNow().groups.map((g) => g.master).join() === 'fw1,fw2', 15_000, 'the upgrade console sees every agent live');

    const events: ConsoleEvent[] = [];
    /** At every fleet change: the hosts out of service (not live, or in maintenance). */
    let maxOut: string[] = [];
    /** At each host's restart ('start'): which hosts were in maintenance. */
    const atStart: Record<string, string[]> = {};
    const off = c.subscribe((e) => {
      if (e.type === 'fleet') {
        const out = e.fleet.hosts.filter((h) => h.status !== 'live' || h.maintenance).map((h) => h.host);
        if (out.length > maxOut.length) maxOut = out;
        return;
      }
      events.push(e);
      if (e.type === 'deploy' && e.step === 'start') atStart[e.host] = c.fleetNow().hosts.filter((h) => h.maintenance).map((h) => h.host);
    });

    const p1 = await lab.startProbe(VIP1, { rate: 100 });
    probes.push(p1);
    const p2 = await lab.startProbe(VIP2, { rate: 100 });
    probes.push(p2);
    await sleep(1000);
    const t0 = Date.now();
    const res = await c.deploy(undefined, { op: 'rolling-60' });
    const took = Date.now() - t0;
    await sleep(1000);
    const [r1, r2] = [await p1.stop(), await p2.stop()];
    probes.length = 0;
    off();

    const steps = events.flatMap((e) => (e.type === 'deploy' ? [`${e.host}:${e.step}@${e.at - t0}`] : []));
    const timeline = steps.filter((s, i) => i === 0 || s.split('@')[0] !== steps[i - 1].split('@')[0]);
    console.log(`rolling upgrade ${v1} -> ${v2} of fw1..fw3: ${took} ms\n  ${timeline.join(' ')}`);
    console.log(`  ${probeLine(VIP1, r1)}\n  ${probeLine(VIP2, r2)}`);
    console.log(`  most hosts out of service at once: ${maxOut.length} (${maxOut.join(', ') || 'none'}); in maintenance at each restart: ${JSON.stringify(atStart)}`);
    for (const e of events) if (e.type === 'deploy' && e.step === 'handover' && /handed over/.test(e.detail ?? '')) console.log(`  ${e.host}: ${e.detail}`);

    expect(res.map((r) => [r.host, r.ok, r.version, r.running])).toEqual(['fw1', 'fw2', 'fw3'].map((h) => [h, true, v2, v2]));
    // One at a time, backups first: fw3 masters nothing; fw1, fw2 one group each.
    const order = (step: string) => events.flatMap((e) => (e.type === 'deploy' && e.step === step ? [e.host] : []));
    expect(order('start')).toEqual(['fw3', 'fw1', 'fw2']);
    expect(order('done')).toEqual(['fw3', 'fw1', 'fw2']);
    // Each host was the only one in maintenance when its agent was restarted (a parallel deploy restarts
    // hosts that are not in maintenance at all), and no two hosts were ever out of service together.
    expect(atStart).toEqual({ fw3: ['fw3'], fw1: ['fw1'], fw2: ['fw2'] });
    expect(maxOut.length).toBe(1);
    const idx = (h: string, step: string, last = false) => {
      const i = events.map((e, k) => (e.type === 'deploy' && e.host === h && e.step === step ? k : -1)).filter((k) => k >= 0);
      return last ? i.at(-1)! : i[0];
    };
    for (const [before, after] of [['fw3', 'fw1'], ['fw1', 'fw2']]) expect(idx(after, 'maintenance-on')).toBeGreaterThan(idx(before, 'done'));
    for (const h of ['fw1', 'fw2', 'fw3']) {
      const seq = ['queued', 'maintenance-on', 'handover', 'start', 'handshake', 'installed', 'maintenance-off', 'steady', 'done'].map((s) => idx(h, s));
      expect(seq.every((k, i) => k >= 0 && (i === 0 || k > seq[i - 1]))).toBe(true);
    }
    // Each new agent came back still in maintenance (persisted across the restart), so it took nothing back by itself.
    for (const h of ['fw1', 'fw2', 'fw3'])
      expect(events.some((e) => e.type === 'deploy' && e.host === h && e.step === 'installed' && /is back, in maintenance/.test(e.detail ?? ''))).toBe(true);
    expect(events.some((e) => e.type === 'deploy' && /WARNING/.test(e.detail ?? ''))).toBe(false);
    // The masters' groups moved (proven by the successor's agent) before their restart: fw1's vhid 1 and fw2's vhid 2 to fw3.
    const handed = events.flatMap((e) => (e.type === 'deploy' && e.step === 'handover' && /^handed over/.test(e.detail ?? '') ? [`${e.host}: ${e.detail}`] : []));
    expect(handed).toEqual([`fw1: handed over 198.18.${LAB_ID}.0/24#1 to fw3; fw1 masters nothing now`, `fw2: handed over 198.18.${LAB_ID}.0/24#2 to fw3; fw2 masters nothing now`]);

    expect(r1.sent).toBeGreaterThan(1000);
    expect(r2.sent).toBeGreaterThan(1000);
    expect(r1.lost).toBeLessThanOrEqual(1);
    expect(r2.lost).toBeLessThanOrEqual(1);

    // Every host runs the new version (its own agent says so), out of maintenance, masters back where they were.
    for (const h of ['fw1', 'fw2', 'fw3']) expect((await lab.exec(h, 'carp-agent version')).stdout.trim()).toBe(v2);
    const f = c.fleetNow();
    expect(f.hosts.map((h) => [h.host, h.agentVersion, h.maintenance])).toEqual(['fw1', 'fw2', 'fw3'].map((h) => [h, v2, false]));
    expect(f.groups.map((g) => g.master)).toEqual(['fw1', 'fw2']);
    expect(f.findings.filter((x) => x.severity === 'error')).toEqual([]);
  });

  it('carpctl deploy --parallel warns which groups it hits, prints each step, and restarts everything at once (for contrast)', async () => {
    up?.close();
    up = undefined;
    const v3 = nextVersion(nextVersion(v1, 'rolling'), 'parallel');
    const bundle = bundleWithVersion(v1Bundle, join(dir, 'v3'), v3);
    const p1 = await lab.startProbe(VIP1, { rate: 100 });
    probes.push(p1);
    const p2 = await lab.startProbe(VIP2, { rate: 100 });
    probes.push(p2);
    await sleep(1000);
    const t0 = Date.now();
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((res) => {
      execFile(process.execPath, [resolve('bin/carpctl.js'), '--inventory', JSON.stringify(lab.info), 'deploy', '--parallel'], { env: { ...process.env, CARP_AGENT_BUNDLE: bundle }, timeout: 90_000 }, (err, stdout, stderr) =>
        res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    const took = Date.now() - t0;
    await waitFor(() => x!.c.fleetNow().hosts.every((h) => h.status === 'live' && h.agentVersion === v3) && x!.c.fleetNow().groups.map((g) => g.master).join() === 'fw1,fw2', 20_000, 'every agent back on the parallel version');
    await sleep(1000);
    const [r1, r2] = [await p1.stop(), await p2.stop()];
    probes.length = 0;
    console.log(`carpctl deploy --parallel ${v3}: exit ${out.code}, ${took} ms\n  ${probeLine(VIP1, r1)}\n  ${probeLine(VIP2, r2)}`);
    console.log(out.stdout.split('\n').filter((l) => / warning: |^versions: /.test(l)).join('\n'));
    expect(out.code).toBe(0);
    for (const h of ['fw1', 'fw2', 'fw3']) expect(out.stdout).toMatch(new RegExp(`deploy ${h} warning: --parallel restarts ${h} without moving its groups first: 198\\.18\\.${LAB_ID}\\.0/24 vhid 1`));
    expect(out.stdout).toMatch(new RegExp(`^versions: fw1, fw2, fw3 run ${v3.replace(/[.+]/g, '\\$&')}$`, 'm'));
    expect(out.stdout).not.toMatch(/maintenance-on/);
    // The negative check: the same probes over a parallel deploy lose far more than the rolling upgrade's 1.
    expect(r1.lost).toBeGreaterThan(1);
    expect(r2.lost).toBeGreaterThan(1);
  });
});
