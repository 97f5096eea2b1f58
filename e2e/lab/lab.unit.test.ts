// Pure parts of the lab: naming/addressing, preflight messages, probe parsing/summary, CLI args.
import { describe, expect, it } from 'vitest';
import { isOurLink, isOurNetns, labMac, labNames, labWanMac, LabError } from './names.js';
import { preflight, REQUIRED_BINARIES } from './preflight.js';
import { parseProberOutput, summarise, checkProbeArgs } from './probe.js';
import { parseArgs } from './cli.js';
import { signalEach, cutWan } from './faults.js';
import { spawnHost } from './host.js';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../wait.js';

describe('names', () => {
  it('gives lab 10 the agreed names and addresses', () => {
    const n = labNames(10, 3, '/s');
    expect(n.lanBridge).toBe('cl10lan');
    expect(n.mgmtBridge).toBe('cl10mgmt');
    expect(n.clientNetns).toBe('cl10-client');
    expect(n.clientAddress).toBe('198.18.10.250');
    expect(n.rootMgmtAddress).toBe('198.19.10.254');
    expect(n.hosts.map((h) => [h.netns, h.lanAddress, h.mgmtAddress])).toEqual([
      ['cl10-fw1', '198.18.10.1', '198.19.10.1'],
      ['cl10-fw2', '198.18.10.2', '198.19.10.2'],
      ['cl10-fw3', '198.18.10.3', '198.19.10.3'],
    ]);
    expect(n.hosts[0].dir).toBe('/s/hosts/fw1');
  });

  it('keeps every link name within 15 characters at the largest id and host count', () => {
    const n = labNames(99, 20);
    const links = [n.lanBridge, n.mgmtBridge, n.clientVeth + 'p', ...n.hosts.flatMap((h) => [h.lanVeth + 'p', h.mgmtVeth + 'p'])];
    for (const l of links) expect(l.length).toBeLessThanOrEqual(15);
    expect(new Set(links).size).toBe(links.length);
  });

  it('never mistakes lab 1 links for lab 10 links', () => {
    expect(isOurLink('cl1', 'cl10lan')).toBe(false);
    expect(isOurLink('cl1', 'cl1lan')).toBe(true);
    expect(isOurLink('cl1', 'cl1l3')).toBe(true);
    expect(isOurLink('cl1', 'cl10l3')).toBe(false);
    expect(isOurNetns('cl1', 'cl10-fw1')).toBe(false);
    expect(isOurNetns('cl10', 'cl10-fw1')).toBe(true);
    expect(isOurNetns('cl10', 'cl10-client')).toBe(true);
  });

  it('gives a two-segment lab a WAN in a /24 the address plan leaves free, and none to a one-segment lab', () => {
    const one = labNames(10, 2, '/s');
    expect(one.wan).toBeUndefined();
    expect(one.hosts[0].wan).toBeUndefined();
    const n = labNames(10, 2, '/s', 2);
    expect(n.wan).toEqual({ bridge: 'cl10wan', cidr: '198.18.110.0/24' });
    expect(n.hosts.map((h) => h.wan)).toEqual([
      { address: '198.18.110.1', mac: '02:c1:01:0a:00:01', veth: 'cl10w1' },
      { address: '198.18.110.2', mac: '02:c1:01:0a:00:02', veth: 'cl10w2' },
    ]);
    expect(labWanMac(10, 1)).not.toBe(labMac(10, 1));
    // Every lab's WAN is outside every lab's LAN (198.18.0-99) and management net (198.19.*), inside 198.18.0.0/15.
    const lans = new Set(Array.from({ length: 100 }, (_, id) => labNames(id, 1).lanCidr));
    for (let id = 0; id <= 99; id++) {
      const wan = labNames(id, 1, '/s', 2).wan!.cidr;
      expect(lans.has(wan)).toBe(false);
      expect(wan).toMatch(/^198\.18\.(1\d\d)\.0\/24$/);
    }
    // Names: within 15 characters, ours to remove, never another lab's.
    const big = labNames(99, 20, '/s', 2);
    for (const l of [big.wan!.bridge, ...big.hosts.map((h) => h.wan!.veth + 'p')]) expect(l.length).toBeLessThanOrEqual(15);
    expect(isOurLink('cl10', 'cl10wan')).toBe(true);
    expect(isOurLink('cl10', 'cl10w2')).toBe(true);
    expect(isOurLink('cl1', 'cl10w2')).toBe(false);
    expect(isOurLink('cl1', 'cl10wan')).toBe(false);
    expect(() => labNames(10, 2, '/s', 3)).toThrow('--segments must be 1 (LAN) or 2 (LAN and WAN), got 3');
  });

  it('refuses to cut the WAN of a host in a one-segment lab, saying how to get one', async () => {
    await expect(cutWan(labNames(10, 2, '/s').hosts[0])).rejects.toThrow('fw1 has no WAN link: bring the lab up with --segments 2');
  });

  it('rejects bad ids and host counts with a clear error', () => {
    expect(() => labNames(100, 3)).toThrow(/0\.\.99/);
    expect(() => labNames(1, 0)).toThrow(/--hosts/);
    expect(labMac(10, 3)).toBe('02:c1:00:0a:00:03');
  });
});

describe('preflight', () => {
  const ok = { platform: 'linux', uid: 0, has: () => true };
  it('passes on Linux as root with every binary', () => {
    expect(() => preflight(ok)).not.toThrow();
  });
  it('names Linux, root, and missing packages with the apt-get line', () => {
    expect(() => preflight({ ...ok, platform: 'darwin' })).toThrow(/needs Linux.*darwin/);
    expect(() => preflight({ ...ok, uid: 1000 })).toThrow(LabError);
    expect(() => preflight({ ...ok, uid: 1000 })).toThrow(/needs root/);
    expect(() => preflight({ ...ok, has: (b) => b !== 'sshd' && b !== 'nft' })).toThrow(
      'missing sshd, nft (Debian package nftables openssh-server): apt-get install -y nftables openssh-server',
    );
    expect(REQUIRED_BINARIES.ping).toBe('iputils-ping');
  });
});

describe('probe summary', () => {
  it('counts losses and the longest gap from prober lines', () => {
    const lines: string[] = [];
    for (let s = 1; s <= 100; s++) {
      const t = 1000 + (s - 1) * 10;
      lines.push(`S ${s} ${t.toFixed(3)}`);
      if (s < 30 || s > 60) lines.push(`R ${s} ${(t + 0.2).toFixed(3)}`);
    }
    lines.push('R 5 1100.000'); // a duplicate
    const r = summarise('198.18.10.100', 100, parseProberOutput(lines));
    expect(r.sent).toBe(100);
    expect(r.received).toBe(69);
    expect(r.lost).toBe(31);
    expect(r.duplicates).toBe(1);
    expect(r.firstLossAtMs).toBe(290);
    expect(r.lastLossAtMs).toBe(590);
    expect(r.longestGapMs).toBe(320); // reply 29 at 1280.2 → reply 61 at 1600.2
    expect(r.durationMs).toBe(990);
  });

  it('counts the time until the end when the target never answers again', () => {
    const lines = ['S 1 0.000', 'R 1 0.100', 'S 2 10.000', 'S 3 20.000', 'S 4 30.000'];
    const r = summarise('198.18.10.100', 100, parseProberOutput(lines));
    expect(r.longestGapMs).toBe(30);
    expect(r.lost).toBe(3);
  });

  it('maps 16-bit sequence numbers back after wrapping', () => {
    const r = summarise('198.18.0.1', 100, parseProberOutput(['S 65537 1.0', 'R 1 1.5']));
    expect(r.received).toBe(1);
  });

  it('refuses targets outside the lab range', () => {
    expect(() => checkProbeArgs('10.0.0.1', 100)).toThrow(/198\.18\.0\.0\/15/);
    expect(() => checkProbeArgs('198.18.3.100', 0)).toThrow(/--rate/);
  });
});

describe('cli args', () => {
  it('splits commands, positionals and flags', () => {
    const a = parseArgs(['partition', 'fw1,fw2', 'fw3', '--id', '12', '--json']);
    expect(a.cmd).toBe('partition');
    expect(a.pos).toEqual(['fw1,fw2', 'fw3']);
    expect(a.flags.get('id')).toBe('12');
    expect(a.flags.get('json')).toBe(true);
    expect(parseArgs(['up', '--hosts=5']).flags.get('hosts')).toBe('5');
    expect(() => parseArgs(['up', '--hosts'])).toThrow(/--hosts needs a value/);
    expect(parseArgs(['up', '--segments', '2', '--json']).flags.get('segments')).toBe('2');
  });
});

describe('robust process handling (real local processes, no namespaces)', () => {
  it('signalEach skips a process that exited and stops the rest', async () => {
    const live = spawn('sleep', ['30'], { stdio: 'ignore' });
    const dead = spawn('sleep', ['0'], { stdio: 'ignore' });
    await new Promise((r) => dead.once('exit', r));
    try {
      const state = () => /\)\s+(\S)\s/.exec(readFileSync(`/proc/${live.pid}/stat`, 'utf8'))![1];
      // the exited pid comes first: before the fix the first kill threw and the live one was never handled
      expect(signalEach([dead.pid!, live.pid!], 'SIGSTOP')).toEqual([live.pid]);
      for (let i = 0; i < 100 && state() !== 'T'; i++) await sleep(10);
      expect(state()).toBe('T');
      expect(signalEach([live.pid!, dead.pid!], 'SIGCONT')).toEqual([live.pid]);
      for (let i = 0; i < 100 && state() === 'T'; i++) await sleep(10);
      expect(['S', 'R']).toContain(state());
    } finally {
      live.kill('SIGKILL');
    }
  });

  it('spawnHost logs a failed spawn instead of leaving an unhandled error event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fixssh-spawn-'));
    const logFile = join(dir, 'hosts-console.log');
    const fd = openSync(logFile, 'a');
    const savedPath = process.env.PATH;
    try {
      process.env.PATH = join(dir, 'no-bin'); // `ip` cannot be found: spawn fails with ENOENT
      const n = labNames(97, 1, dir);
      const child = spawnHost(n, n.hosts[0], fd);
      process.env.PATH = savedPath;
      expect(child.pid).toBeUndefined();
      expect(child.listenerCount('error')).toBeGreaterThan(0); // without one, 'error' crashes the process
      await sleep(50);
      expect(readFileSync(logFile, 'utf8')).toMatch(/starting fw1 failed: spawn ip ENOENT/);
    } finally {
      process.env.PATH = savedPath;
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
