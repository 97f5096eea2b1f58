// Lab test of the SSH transport against real OpenSSH sshd in lab hosts: host-key checks (unknown,
// changed), an unreachable host next to working ones, channel limit, exec, openLines, upload.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Lab } from '../lab/index.js';
import { importLabJson, type Inventory } from '../../electron/core/inventory/index.js';
import {
  SshPool,
  SshTransport,
  HostKeyChangedError,
  HostKeyOtherTypeError,
  HostUnreachableError,
  UnknownHostKeyError,
  confirmHostKey,
  trustHostKey,
  fingerprint,
} from '../../electron/core/ssh/index.js';
import type { HostSpec } from '../../electron/core/transport.js';
import { sleep } from '../wait.js';

const LAB_ID = 32;
let lab: Lab;
let inv: Inventory;
let dir: string;
const pools: SshPool[] = [];
const pool = (knownHostsFiles: string[], extra: Record<string, unknown> = {}) => {
  const p = new SshPool({ knownHostsFiles, agentSocket: null, ...extra });
  pools.push(p);
  return p;
};

beforeAll(async () => {
  await Lab.down(LAB_ID).catch(() => undefined);
  lab = await Lab.up({ id: LAB_ID, hosts: 3 });
  inv = importLabJson(lab.info);
  dir = mkdtempSync(join(tmpdir(), 'cs32-'));
});

afterAll(async () => {
  for (const p of pools) p.closeAll();
  await lab?.down({ purge: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('ssh transport (lab)', () => {
  it('runs commands on all 3 hosts over one connection each', async () => {
    const p = pool(inv.knownHostsFiles!);
    const res = await Promise.all(inv.hosts.map((h) => p.get(h).exec('hostname; exit 7')));
    expect(res.map((r) => r.stdout.trim())).toEqual(inv.hosts.map((h) => h.name));
    expect(res.every((r) => r.code === 7)).toBe(true); // non-zero exit is a result, not a rejection
    expect(p.get(inv.hosts[0])).toBe(p.get(inv.hosts[0])); // one transport per host name
    const r = await p.get(inv.hosts[0]).exec('cat; echo -n " $X" >&2', { stdin: 'from-stdin' });
    expect(r.stdout).toBe('from-stdin');
  });

  it('an unknown key is refused with its OpenSSH fingerprint; trusting it lets the next connect in', async () => {
    const consoleKh = join(dir, 'console_known_hosts');
    const p = pool([join(dir, 'empty_known_hosts'), consoleKh]);
    const h = inv.hosts[0];
    const err = await p.get(h).exec('true').catch((e) => e);
    expect(err).toBeInstanceOf(UnknownHostKeyError);
    // the same fingerprint ssh-keygen prints for the key in the lab's known_hosts
    const line = readFileSync(inv.knownHostsFiles![0], 'utf8').split('\n').find((l) => l.startsWith(h.address + ' ') || l.startsWith(h.address + ','))!;
    const expected = execFileSync('ssh-keygen', ['-lf', '-'], { input: line.split(' ').slice(1).join(' ') + '\n', encoding: 'utf8' }).split(' ')[1];
    expect((err as UnknownHostKeyError).fingerprint).toBe(expected);
    expect(err.message).toContain(expected);
    trustHostKey(consoleKh, h.address, h.port, { keyBlob: (err as UnknownHostKeyError).keyBlob });
    p.get(h).resetBackoff();
    expect((await p.get(h).exec('echo ok')).stdout).toBe('ok\n');
  });

  it('carpctl trust: shows an unknown key, refuses a wrong fingerprint, records the confirmed one', () => {
    // A console with its own config dir and an inventory that does not carry the lab's known_hosts.
    const home = join(dir, 'trust-home');
    const invFile = join(dir, 'trust-inventory.json');
    writeFileSync(invFile, JSON.stringify({ hosts: inv.hosts }));
    const carpctl = (...args: string[]) =>
      spawnSync(process.execPath, [resolve('bin/carpctl.js'), '--inventory', invFile, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, XDG_CONFIG_HOME: home } });
    const h = inv.hosts[0];
    const expected = execFileSync('ssh-keygen', ['-lf', `${lab.stateDir}/keys/${h.name}_ssh_host_ed25519_key.pub`], { encoding: 'utf8' }).split(' ')[1];
    const ask = carpctl('trust', h.name);
    expect(ask.status).toBe(1);
    expect(ask.stdout).toContain(`${h.name} presents ssh-ed25519 ${expected}`);
    expect(ask.stdout).toContain(`carpctl trust ${h.name} --fingerprint ${expected}`);
    const wrong = carpctl('trust', h.name, '--fingerprint', 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('nothing was trusted');
    const knownFile = join(home, 'carp-console', 'known_hosts');
    expect(existsSync(knownFile)).toBe(false);
    const ok = carpctl('trust', h.name, '--fingerprint', expected);
    expect(ok.stdout).toContain(`trusted ssh-ed25519 ${expected}`);
    expect(ok.status).toBe(0);
    expect(execFileSync('ssh-keygen', ['-F', h.address, '-f', knownFile], { encoding: 'utf8' })).toContain(h.address);
    expect(carpctl('trust', h.name).stdout).toContain('already known');
    // and the console now gets past the host key (no agent is deployed in this lab: no-agent, not unreachable)
    const hosts = JSON.parse(carpctl('--json', 'hosts').stdout) as Array<{ host: string; status: string }>;
    expect(hosts.find((x) => x.host === h.name)!.status).toBe('no-agent');
    expect(hosts.find((x) => x.host === inv.hosts[1].name)!.status).toBe('unreachable'); // still unknown: not trusted silently
  });

  it('a changed host key is refused and says so; the other hosts keep working', async () => {
    const h = inv.hosts[1];
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'other')]);
    const other = readFileSync(join(dir, 'other.pub'), 'utf8').trim().split(' ');
    const kh = join(dir, 'changed_known_hosts');
    const labLines = readFileSync(inv.knownHostsFiles![0], 'utf8').split('\n').filter((l) => l && !l.startsWith(h.address));
    writeFileSync(kh, [...labLines, `${h.address} ${other[0]} ${other[1]}`].join('\n') + '\n');
    const p = pool([kh]);
    const [bad, ...good] = await Promise.allSettled([p.get(h), p.get(inv.hosts[0]), p.get(inv.hosts[2])].map((t) => t.exec('hostname')));
    expect(bad.status).toBe('rejected');
    const err = (bad as PromiseRejectedResult).reason;
    expect(err).toBeInstanceOf(HostKeyChangedError);
    expect(err.message).toMatch(/HOST KEY CHANGED/);
    expect(err.message).toMatch(/man-in-the-middle/);
    expect(err.message).toContain(`${kh}:${labLines.length + 1}`);
    expect(err.message).toContain('ssh-keygen -R');
    expect(good.map((g) => (g as PromiseFulfilledResult<{ stdout: string }>).value.stdout.trim())).toEqual([inv.hosts[0].name, inv.hosts[2].name]);
  });

  it('a key of a type not on file, while another type is, is refused and cannot be trusted by confirmation', async () => {
    // known_hosts has only an ecdsa key for fw3; the host presents its ed25519 key (as a man-in-the-middle
    // offering just another type would): not first contact.
    const h = inv.hosts[2];
    execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-f', join(dir, 'other-ecdsa')]);
    const ecdsa = readFileSync(join(dir, 'other-ecdsa.pub'), 'utf8').trim().split(' ');
    const kh = join(dir, 'other_type_known_hosts');
    writeFileSync(kh, `# only ecdsa on file\n${h.address} ${ecdsa[0]} ${ecdsa[1]}\n`);
    const consoleKh = join(dir, 'other_type_console_known_hosts');
    const p = pool([kh, consoleKh]);
    const err = await p.get(h).exec('true').catch((e) => e);
    expect(err).toBeInstanceOf(HostKeyOtherTypeError);
    expect(err.message).toContain(`lists only ecdsa-sha2-nistp256 for it (${kh}:2)`);
    expect(err.message).toContain('presented host key ssh-ed25519');
    expect(err.message).toContain('ssh-keygen -R');
    const presented = (err as HostKeyOtherTypeError).fingerprint;
    // carpctl trust's path: even with the right fingerprint, nothing is written
    await expect(confirmHostKey(p.get(h), consoleKh, presented)).rejects.toBeInstanceOf(HostKeyOtherTypeError);
    expect(existsSync(consoleKh)).toBe(false);
  });

  it('an unreachable host is reported within seconds while the others answer', async () => {
    const ghost: HostSpec = { ...inv.hosts[0], name: 'ghost', address: `198.19.${LAB_ID}.77` };
    const p = pool(inv.knownHostsFiles!);
    const t0 = Date.now();
    let ghostMs = 0;
    const ghostP = p
      .get(ghost)
      .exec('true')
      .then(
        () => null,
        (e) => ((ghostMs = Date.now() - t0), e),
      );
    const others = await Promise.all(inv.hosts.map(async (h) => ({ r: await p.get(h).exec('hostname'), ms: Date.now() - t0 })));
    const err = await ghostP;
    console.log(`unreachable reported after ${ghostMs} ms; others answered after ${others.map((o) => o.ms).join(', ')} ms`);
    expect(err).toBeInstanceOf(HostUnreachableError);
    expect(err.message).toContain('ghost');
    // The bound is the transport's: the SSH handshake timeout (readyTimeout, 5 s), not TCP's minutes of
    // retries; generous on a loaded machine, yet a hang could not pass.
    expect(ghostMs).toBeLessThan(5000 + 5000);
    // The others are not queued behind the ghost: all of them answered before the ghost's error came.
    expect(Math.max(...others.map((o) => o.ms))).toBeLessThan(ghostMs);
    // the second attempt waits for the backoff (1 s here), then fails the same way (no hang): same bound
    const t1 = Date.now();
    await expect(p.get(ghost).exec('true')).rejects.toBeInstanceOf(HostUnreachableError);
    expect(Date.now() - t1).toBeLessThan(1000 + 5000 + 5000);
  });

  it('limits channels per connection and queues the rest', async () => {
    const t = new SshTransport(inv.hosts[2], { knownHostsFiles: inv.knownHostsFiles, agentSocket: null, maxChannels: 4 });
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, t.channelUsage.active)), 5);
    try {
      const res = await Promise.all(Array.from({ length: 16 }, (_, i) => t.exec(`sleep 0.2; echo ${i}`)));
      expect(res.map((r) => Number(r.stdout))).toEqual(Array.from({ length: 16 }, (_, i) => i));
      expect(peak).toBeLessThanOrEqual(4);
      expect(peak).toBeGreaterThanOrEqual(3);
      expect(t.channelUsage).toEqual({ active: 0, queued: 0 });
    } finally {
      clearInterval(timer);
      t.close();
    }
  });

  it('openLines splits lines and reports a failed command once; upload is atomic and exact', async () => {
    const p = pool(inv.knownHostsFiles!);
    const t = p.get(inv.hosts[0]);
    const ch = await t.openLines(`printf 'a\\nb\\r\\n'; read x; echo "got $x"; echo oops >&2; exit 3`);
    const lines: string[] = [];
    ch.onLine((l) => lines.push(l));
    ch.write('hello');
    const errs: (Error | undefined)[] = [];
    await new Promise<void>((res) =>
      ch.onClose((e) => {
        errs.push(e);
        res();
      }),
    );
    await sleep(50);
    expect(lines).toEqual(['a', 'b', 'got hello']);
    expect(errs.length).toBe(1);
    expect(errs[0]?.message).toMatch(/exited with code 3: oops/);

    const local = join(dir, 'blob');
    const data = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    writeFileSync(local, data);
    await t.exec('mkdir -p /opt/cs-up');
    await t.upload(local, '/opt/cs-up/blob', 0o640);
    const r = await t.exec('sha256sum /opt/cs-up/blob; stat -c %a /opt/cs-up/blob; ls /opt/cs-up | wc -l');
    const [sum, mode, count] = r.stdout.trim().split('\n');
    expect(sum.split(' ')[0]).toBe(createHash('sha256').update(data).digest('hex'));
    expect(mode).toBe('640');
    expect(count).toBe('1'); // no temp file left
    expect(fingerprint(Buffer.from('x'))).toMatch(/^SHA256:/);
  });

  it('reconnects after the host reboots', async () => {
    const p = pool(inv.knownHostsFiles!, { backoff: { initialMs: 200, maxMs: 1000 } });
    const t = p.get(inv.hosts[2]);
    const name = inv.hosts[2].name;
    // The host's own boot stamp (written by its init at every boot into its own /run): the same transport
    // must reach the host's next boot, not answer from a connection that outlived it.
    const stamp = 'cat /run/carp-lab/booted';
    const boot1 = (await t.exec(stamp)).stdout;
    expect(boot1).toMatch(/^\d{4}-\d\d-\d\dT/);
    const boots = lab.status()!.hosts[name].boots;
    await lab.reboot(name);
    await lab.waitUp(name, 30_000);
    expect(lab.status()!.hosts[name].boots).toBe(boots + 1);
    let boot2 = '';
    for (let i = 0; i < 20 && !boot2; i++) boot2 = await t.exec(stamp).then((r) => r.stdout, () => '');
    expect(boot2).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(boot2).not.toBe(boot1); // the reboot delay is 3 s: a new boot has a later stamp
  });
});
