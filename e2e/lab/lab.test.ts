// The lab itself, for real (root): a 3-host lab (id 10, two segments) with sshd, isolation, reboot over
// SSH, faults seen by the probe, the WAN's own link, power off/on, clear errors, and nothing left behind after down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Lab, LabError } from './index.js';
import { ourLinks, ourNetns } from './net.js';
import { run } from './run.js';
import { sleep } from '../wait.js';

const ID = 10;
const VIP = `198.18.${ID}.100`;
let lab: Lab;

function ssh(host: string, command: string, extra: string[] = []) {
  const r = spawnSync('ssh', ['-F', lab.info.sshConfigFile, '-o', 'StrictHostKeyChecking=yes', ...extra, host, command], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'cli.ts'), ...args], {
    encoding: 'utf8',
    cwd: path.resolve(__dirname, '../..'),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  await Lab.down(ID); // leftovers of an earlier crashed run
  const t0 = Date.now();
  lab = await Lab.up({ id: ID, hosts: 3, segments: 2 });
  console.log(`lab up (3 hosts, 2 segments) in ${Date.now() - t0} ms`);
});

afterAll(async () => {
  if (lab) await lab.healAll().catch(() => undefined);
  await Lab.down(ID, { purge: true });
});

describe('lab', () => {
  it('describes itself with the agreed JSON shape', () => {
    const info = lab.info;
    expect(info.hosts.map((h) => [h.name, h.address, h.port, h.user])).toEqual([
      ['fw1', `198.19.${ID}.1`, 22, 'root'],
      ['fw2', `198.19.${ID}.2`, 22, 'root'],
      ['fw3', `198.19.${ID}.3`, 22, 'root'],
    ]);
    expect(existsSync(info.hosts[0].identityFile)).toBe(true);
    expect(info.lan).toEqual({ cidr: `198.18.${ID}.0/24`, bridge: `cl${ID}lan` });
    expect(info.client).toEqual({ namespace: `cl${ID}-client`, address: `198.18.${ID}.250` });
  });

  it('lets plain OpenSSH into every host with strict host key checking', () => {
    for (const h of ['fw1', 'fw2', 'fw3']) {
      const r = ssh(h, 'hostname');
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(h);
    }
    // The same login with an empty known_hosts is refused: the check is real.
    const empty = path.join(lab.stateDir, 'empty_known_hosts');
    writeFileSync(empty, '');
    const r = ssh('fw1', 'hostname', ['-o', `UserKnownHostsFile=${empty}`]);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/Host key verification failed|No .* host key is known/);
  });

  it('gives every host its own files', () => {
    expect(ssh('fw1', 'echo one > /etc/carp-agent/who && cat /etc/carp-agent/who').stdout.trim()).toBe('one');
    expect(ssh('fw2', 'echo two > /etc/carp-agent/who && ls /etc/carp-agent').stdout.trim()).toBe('who');
    expect(ssh('fw2', 'cat /etc/carp-agent/who').stdout.trim()).toBe('two');
    expect(ssh('fw1', 'cat /etc/carp-agent/who').stdout.trim()).toBe('one');
    // On disk, each under its own host folder; the lab's state dir is hidden inside hosts.
    expect(readFileSync(path.join(lab.stateDir, 'hosts/fw1/etc/carp-agent/who'), 'utf8').trim()).toBe('one');
    expect(ssh('fw1', `ls ${lab.stateDir}/hosts 2>&1 || echo hidden`).stdout).toMatch(/hidden|No such file/);
    // Each host sees only its own processes, and node runs there.
    const ps = ssh('fw3', 'ps -eo comm=').stdout.split('\n').filter(Boolean);
    expect(ps.filter((c) => c === 'sshd').length).toBeGreaterThanOrEqual(1);
    expect(ps.length).toBeLessThan(15);
    expect(ssh('fw3', 'node -e "console.log(process.version)"').stdout.trim()).toMatch(/^v20\./);
  });

  it('reboots a host from inside over SSH: processes gone, files kept, rc.local ran again', async () => {
    expect(ssh('fw1', 'echo kept > /root/kept; echo "date +%s >> /root/boots" >> /etc/rc.local; (sleep 900 >/dev/null 2>&1 &) ; echo ok').stdout.trim()).toBe('ok');
    expect((await lab.exec('fw1', 'pgrep -x sleep -a | grep -c 900')).stdout.trim()).toBe('1');
    const bootsBefore = lab.status()!.hosts.fw1.boots;
    const t0 = Date.now();
    const r = ssh('fw1', 'reboot');
    expect(r.code).toBe(255); // the connection drops as the host goes down
    await sleep(300);
    expect((await lab.hostStatus()).find((h) => h.name === 'fw1')!.sshd).toBe(false);
    await lab.waitUp('fw1');
    const downFor = Date.now() - t0;
    console.log(`reboot over ssh: back (sshd answering) after ${downFor} ms with a 3000 ms delay`);
    expect(downFor).toBeGreaterThanOrEqual(3000);
    expect(lab.status()!.hosts.fw1.boots).toBe(bootsBefore + 1);
    await sleep(300); // rc.local runs in the background at boot
    expect(ssh('fw1', 'cat /root/kept').stdout.trim()).toBe('kept');
    expect(ssh('fw1', 'wc -l < /root/boots').stdout.trim()).toBe('1');
    expect(ssh('fw1', 'pgrep -a sleep | grep -c 900').stdout.trim()).toBe('0');
    expect(ssh('fw1', 'grep -c "rc.local: boot" /var/log/rc.local.log').stdout.trim()).toBe('2');
    // `shutdown -r now` is a reboot too.
    ssh('fw2', 'shutdown -r now');
    await lab.waitUp('fw2');
    expect(lab.status()!.hosts.fw2.boots).toBe(2);
  });

  it('sees a cut LAN link in the probe and the link come back on heal', async () => {
    expect((await lab.exec('fw1', `ip addr add ${VIP}/24 dev eth0 && echo ok`)).stdout.trim()).toBe('ok');
    const probe = await lab.startProbe(VIP, { rate: 100 });
    await sleep(500);
    const cutAt = Date.now();
    await lab.cut('fw1');
    await sleep(200);
    expect((await lab.exec('fw1', 'ip -o link show eth0')).stdout).toMatch(/NO-CARRIER/);
    await sleep(800);
    await lab.heal('fw1');
    const downMs = Date.now() - cutAt; // the cut as it really lasted (sleeps overrun on a loaded machine)
    await sleep(700);
    const r = await probe.stop();
    console.log(`probe across a 1 s cut: ${JSON.stringify(r)}`);
    expect(r.received).toBeGreaterThan(80);
    expect(r.lost).toBeGreaterThan(70);
    // The probe measures the cut: at least its planned second, at most its real length plus a few probe
    // intervals and the link coming back (relative to the measured cut: no wall-clock bound).
    expect(r.longestGapMs).toBeGreaterThanOrEqual(900);
    expect(r.longestGapMs).toBeLessThanOrEqual(downMs + 500);
    expect(r.firstLossAtMs).toBeGreaterThanOrEqual(400);
    const after = await lab.probe(VIP, { rate: 100, seconds: 0.5 });
    expect(after.lost).toBe(0);
    expect(after.received).toBeGreaterThan(40);
  });

  it('has a second segment: eth1 on the WAN bridge, with its own cable to cut and heal', async () => {
    const WAN = `198.18.${100 + ID}`;
    expect(lab.info.wan).toEqual({ cidr: `${WAN}.0/24`, bridge: `cl${ID}wan` });
    expect(lab.info.hosts.map((h) => h.wanAddress)).toEqual([`${WAN}.1`, `${WAN}.2`, `${WAN}.3`]);
    expect((await lab.exec('fw2', 'ip -4 -o addr show dev eth1')).stdout).toContain(` ${WAN}.2/24 `);
    const ping = async (to: string, deadline = 3) =>
      (await lab.exec('fw1', `ping -c 1 -i 0.2 -w ${deadline} ${to} >/dev/null && echo yes || echo no`)).stdout.trim();
    expect(await ping(`${WAN}.2`)).toBe('yes');
    await lab.cutWan('fw1');
    expect((await lab.exec('fw1', 'ip -o link show eth1')).stdout).toMatch(/NO-CARRIER/);
    expect((await lab.exec('fw1', 'ip -o link show eth0')).stdout).not.toMatch(/NO-CARRIER/);
    expect(await ping(`${WAN}.2`, 1.5)).toBe('no');
    expect(await ping(`198.18.${ID}.2`)).toBe('yes'); // the LAN is not touched
    const st = JSON.parse(cli(['status', '--id', String(ID), '--json']).stdout) as { status: Array<{ name: string; lanLink: string; wanLink?: string }> };
    expect(st.status.map((h) => [h.name, h.lanLink, h.wanLink])).toEqual([
      ['fw1', 'up', 'cut'],
      ['fw2', 'up', 'up'],
      ['fw3', 'up', 'up'],
    ]);
    await lab.healWan('fw1');
    expect(await ping(`${WAN}.2`)).toBe('yes');
  });

  it('drops a share of inbound packets, partitions the LAN, and heals all', async () => {
    await lab.loss('fw1', 50);
    const lossy = await lab.probe(VIP, { rate: 200, seconds: 1 });
    expect(lossy.lost / lossy.sent).toBeGreaterThan(0.25);
    expect(lossy.lost / lossy.sent).toBeLessThan(0.75);
    await lab.loss('fw1', 0);
    expect((await lab.probe(VIP, { rate: 200, seconds: 0.3 })).lost).toBe(0);

    await lab.partition([['fw1'], ['fw2', 'fw3']]);
    // One reply within the deadline (ARP retries once a second, so allow a few).
    const ping = async (from: string, to: string, deadline = 3) =>
      (await lab.exec(from, `ping -c 1 -i 0.2 -w ${deadline} 198.18.${ID}.${to.slice(2)} >/dev/null && echo yes || echo no`)).stdout.trim();
    await lab.exec('fw2', 'ip neigh flush dev eth0');
    expect(await ping('fw2', 'fw1', 1.5)).toBe('no');
    expect(await ping('fw2', 'fw3')).toBe('yes');
    expect(await ping('fw1', 'fw3', 1.5)).toBe('no');
    await lab.healAll();
    expect(await ping('fw2', 'fw1')).toBe('yes');
  });

  it('freezes and thaws a process by name', async () => {
    // A uniquely named process; wait until it has exec'd so its name is visible.
    await lab.exec('fw3', 'cp /bin/sleep /tmp/napper; /tmp/napper 600 >/dev/null 2>&1 & ' +
      'while ! grep -qx napper /proc/$!/comm; do sleep 0.01; done');
    const pids = await lab.freeze('fw3', 'napper');
    const state = (pid: number) => /State:\s+(\S)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
    expect(pids.length).toBe(1);
    expect(state(pids[0])).toBe('T');
    expect(await lab.thaw('fw3', 'napper')).toEqual(pids);
    // running again: sleeping in nanosleep, or on the CPU for an instant right after SIGCONT
    expect(['S', 'R']).toContain(state(pids[0]));
    await expect(lab.freeze('fw3', 'no-such-process')).rejects.toThrow('no process named no-such-process runs on fw3');
  });

  it('powers a host off (no process left) and on again', async () => {
    await lab.powerOff('fw3');
    const pids = (await run('ip', ['netns', 'pids', `cl${ID}-fw3`])).stdout.trim();
    expect(pids).toBe('');
    expect(lab.status()!.hosts.fw3.state).toBe('off');
    await expect(lab.exec('fw3', 'true')).rejects.toThrow(/not running/);
    await lab.powerOn('fw3');
    expect(ssh('fw3', 'hostname').stdout.trim()).toBe('fw3');
  });

  it('refuses bad input with clear errors', async () => {
    await expect(Lab.up({ id: ID })).rejects.toThrow(/already up.*down --id 10.*another --id/);
    expect(() => lab.host('fw9')).toThrow(LabError);
    expect(() => lab.host('fw9')).toThrow('unknown host fw9: lab 10 has fw1, fw2, fw3');
    const r = cli(['cut', 'fw9', '--id', String(ID)]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('lab: unknown host fw9: lab 10 has fw1, fw2, fw3');
    const again = cli(['up', '--id', String(ID)]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already up/);
  });

  it('status reports the hosts', () => {
    const r = cli(['status', '--id', String(ID), '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { up: boolean; status: Array<{ name: string; state: string; sshd: boolean }> };
    expect(s.up).toBe(true);
    expect(s.status.map((h) => [h.name, h.state, h.sshd])).toEqual([
      ['fw1', 'up', true],
      ['fw2', 'up', true],
      ['fw3', 'up', true],
    ]);
  });

  it('down leaves no namespace, link, mount or process behind, and is idempotent', async () => {
    const stateDir = lab.stateDir;
    const t0 = Date.now();
    await lab.down();
    console.log(`lab down in ${Date.now() - t0} ms`);
    expect(await ourNetns(`cl${ID}`)).toEqual([]);
    expect(await ourLinks(`cl${ID}`)).toEqual([]);
    expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(stateDir);
    const ps = (await run('ps', ['-eo', 'pid=,args='])).stdout.split('\n').filter((l) => l.includes(stateDir));
    expect(ps).toEqual([]);
    expect(existsSync(path.join(stateDir, 'keys'))).toBe(true); // files stay without --purge
    const again = await Lab.down(ID);
    expect(again).toEqual({ netns: [], links: [], killed: 0 });
  });
});
