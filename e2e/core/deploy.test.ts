// Lab test of deploy with the real agent bundle (agent/dist, built by `npm run build`): all 3 hosts
// in parallel, idempotent redeploy, host config kept, and rollback when a new version fails its handshake.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Lab } from '../lab/index.js';
import { importLabJson, type Inventory } from '../../electron/core/inventory/index.js';
import { SshPool } from '../../electron/core/ssh/index.js';
import { deployAll, deployHost, readManifest, type DeployProgress } from '../../electron/core/deploy/index.js';

const LAB_ID = 31;
const BUNDLE = resolve('agent/dist');
let lab: Lab;
let inv: Inventory;
let pool: SshPool;
let dir: string;
let version: string;

beforeAll(async () => {
  if (!existsSync(join(BUNDLE, 'manifest.json'))) execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
  version = readManifest(BUNDLE).version;
  await Lab.down(LAB_ID).catch(() => undefined);
  lab = await Lab.up({ id: LAB_ID, hosts: 3 });
  inv = importLabJson(lab.info);
  pool = new SshPool({ knownHostsFiles: inv.knownHostsFiles, agentSocket: null });
  dir = mkdtempSync(join(tmpdir(), 'cs31-'));
});

afterAll(async () => {
  pool?.closeAll();
  await lab?.down({ purge: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('deploy (lab)', () => {
  it('deploys the real bundle to all 3 hosts in parallel, with per-host progress', async () => {
    const events: DeployProgress[] = [];
    const t0 = Date.now();
    const res = await deployAll(inv.hosts.map((h) => pool.get(h)), { bundleDir: BUNDLE, onProgress: (e) => events.push(e) });
    const ms = Date.now() - t0;
    console.log(`deploy to 3 hosts: ${ms} ms (per host ${res.map((r) => `${r.host} ${r.ms} ms`).join(', ')})`);
    expect(res.map((r) => [r.host, r.ok, r.version, r.platform])).toEqual(inv.hosts.map((h) => [h.name, true, version, 'linux-x64']));
    for (const h of inv.hosts) {
      const steps = [...new Set(events.filter((e) => e.host === h.name).map((e) => e.step))];
      expect(steps).toEqual(['connect', 'detect', 'check-node', 'upload', 'verify', 'install-service', 'start', 'handshake', 'done']);
      const r = await lab.exec(h.name, 'readlink /opt/carp-agent/current; cat /etc/carp-agent/config.json; grep -c "# carp-agent" /etc/rc.local; /opt/carp-agent/service.sh status');
      const [link, config, rcCount, status] = r.stdout.trim().split('\n');
      expect(link).toBe(`versions/${version}`);
      expect(JSON.parse(config)).toEqual({ groups: [] });
      expect(rcCount).toBe('1');
      expect(status).toMatch(/^running \d+$/);
      // `carp-agent` is on the host's PATH (the lab gives each host its own /usr/local/bin)
      expect((await lab.exec(h.name, 'carp-agent version')).stdout.trim()).toBe(version);
    }
    expect(existsSync('/usr/local/bin/carp-agent')).toBe(false); // nothing leaked onto the machine itself
  });

  it('is idempotent: a second deploy skips upload and restart; the host config survives', async () => {
    const h = inv.hosts[0];
    await lab.exec(h.name, `printf '{ "groups": [] }\\n' > /etc/carp-agent/config.json`);
    const pid1 = (await lab.exec(h.name, 'cat /run/carp-agent.pid')).stdout.trim();
    const t0 = Date.now();
    const res = await deployAll(inv.hosts.map((x) => pool.get(x)), { bundleDir: BUNDLE });
    console.log(`idempotent redeploy of 3 hosts: ${Date.now() - t0} ms`);
    expect(res.every((r) => r.ok && r.skipped)).toBe(true);
    const after = await lab.exec(h.name, 'cat /run/carp-agent.pid; cat /etc/carp-agent/config.json; grep -c "# carp-agent" /etc/rc.local');
    expect(after.stdout).toBe(`${pid1}\n{ "groups": [] }\n1\n`);
  });

  it('rolls back to the previous version when the new one fails its handshake', async () => {
    // A deliberately broken bundle made here: its carp-agent.js exits at once, so `attach` never answers.
    const bad = join(dir, 'bad-bundle');
    mkdirSync(bad, { recursive: true });
    const js = 'console.error("broken build on purpose"); process.exit(1);\n';
    writeFileSync(join(bad, 'carp-agent.js'), js);
    const sha = createHash('sha256').update(js).digest('hex');
    writeFileSync(join(bad, 'manifest.json'), JSON.stringify({ version: '0.0.0-broken', files: [{ path: 'carp-agent.js', sha256: sha, size: js.length }] }));
    const h = inv.hosts[1];
    const events: DeployProgress[] = [];
    const res = await deployHost(pool.get(h), { bundleDir: bad, handshakeTimeoutMs: 3000, onProgress: (e) => events.push(e) });
    expect(res).toMatchObject({ ok: false, rolledBack: true, previous: version, version: '0.0.0-broken' });
    expect(res.error).toMatch(/did not answer/);
    expect(events.at(-1)?.step).toBe('rolled-back');
    const r = await lab.exec(h.name, 'readlink /opt/carp-agent/current; /opt/carp-agent/service.sh status; cat /etc/carp-agent/config.json');
    const [link, status, config] = r.stdout.trim().split('\n');
    expect(link).toBe(`versions/${version}`);
    expect(status).toMatch(/^running/);
    expect(JSON.parse(config)).toEqual({ groups: [] });
    // and the restored agent really is the previous version (a fresh deploy of it is a no-op)
    const again = await deployHost(pool.get(h), { bundleDir: BUNDLE });
    expect(again).toMatchObject({ ok: true, skipped: true });
  });

  it('reports a host without a usable Node with the install command', async () => {
    const h = inv.hosts[2];
    // Hide node from this host only: /opt is the host's own, so a PATH-first fake node there is safe.
    const t = pool.get({ ...h, name: `${h.name}-nonode` });
    const fake = {
      host: t.host,
      exec: (cmd: string, o?: { stdin?: string | Buffer; timeoutMs?: number }) =>
        t.exec(cmd.replace('PATH=/usr/local/bin', 'PATH=/opt/cs-nonode:/usr/local/bin'), o),
      openLines: t.openLines.bind(t),
      upload: t.upload.bind(t),
      close: () => t.close(),
    };
    await lab.exec(h.name, `mkdir -p /opt/cs-nonode && printf '#!/bin/sh\\necho v16.20.0\\n' > /opt/cs-nonode/node && chmod 755 /opt/cs-nonode/node`);
    const res = await deployHost(fake, { bundleDir: BUNDLE });
    expect(res.ok).toBe(false);
    expect(res.error).toMatch(/Node\.js v16\.20\.0, the agent needs >= 18: upgrade it with `apt-get install -y nodejs`/);
    await lab.exec(h.name, 'rm -rf /opt/cs-nonode');
  });
});
