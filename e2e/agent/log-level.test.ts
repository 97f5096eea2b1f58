// OpenBSD's net.inet.carp.log in the lab: at the default level 2 a state change is logged in carp(4)'s
// wording (`carp: vhid 1 (eth0): state transition: BACKUP -> MASTER`), to syslog where there is a syslog
// socket (RFC 3164 datagrams, facility daemon; here a receiver on a socket in fw1's /run stands in for
// /dev/log) and to the log file where there is none (fw2); debug lines (each advert heard) appear only at
// level 7 (`carp-agent set log 7`) and stop again at 2.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { Lab } from '../lab/index.js';
import { AGENT, agentCli, ensureBuilt, installAgent, sh, startAgent, stateOf, status, stopAgent, waitFor } from './helpers.js';

const ID = 27;
const VIP = `198.18.${ID}.100`;
const SOCK = '/run/test-syslog.sock';
const group = (advskew: number) => ({ vhid: 1, interface: 'eth0', addresses: [`${VIP}/24`], password: 'log-level', advskew });
let lab: Lab;
let receiver: ChildProcess | null = null;
let received = '';

/** Every datagram fw1's agent sent to the stand-in syslog socket, one per line. */
const syslog = () => (existsSync(received) ? readFileSync(received, 'utf8') : '');

beforeAll(async () => {
  ensureBuilt();
  await Lab.down(ID).catch(() => {});
  lab = await Lab.up({ id: ID, hosts: 2 });
  // The stand-in for /dev/log: a unix datagram socket in fw1's own /run (Node has none: python3 binds it).
  const path = lab.machinePath('fw1', SOCK);
  received = lab.machinePath('fw1', '/run/test-syslog.txt');
  rmSync(received, { force: true });
  const py = [
    'import os, socket, sys',
    'p, out = sys.argv[1], sys.argv[2]',
    'os.path.exists(p) and os.unlink(p)',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(p)',
    "f = open(out, 'ab', buffering=0)",
    'print("ready", flush=True)',
    'while True: f.write(s.recv(65536) + b"\\n")',
  ].join('\n');
  receiver = spawn('python3', ['-c', py, path, received], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    receiver!.once('error', reject);
    receiver!.stdout!.once('data', () => resolve());
  });
  // fw2 (advskew 0) logs to its file (no syslog socket in the lab); fw1 (advskew 100) to the stand-in socket.
  await startAgent(lab, 'fw2', { groups: [group(0)] });
  installAgent(lab, 'fw1');
  await lab.exec('fw1', `mkdir -p /etc/carp-agent && cat > /etc/carp-agent/config.json`, { input: JSON.stringify({ groups: [group(100)] }) });
  await sh(lab, 'fw1', `CARP_AGENT_SYSLOG_SOCKET=${SOCK} setsid node ${AGENT} run --config /etc/carp-agent/config.json >>/var/log/carp-agent.log 2>&1 < /dev/null & echo $! > /run/carp-agent-test.pid`);
  await waitFor(async () => (await lab.exec('fw1', 'test -S /run/carp-agent.sock')).code === 0, 10_000, 'fw1: agent socket');
});

afterAll(async () => {
  for (const h of ['fw1', 'fw2']) await stopAgent(lab, h).catch(() => {});
  if (receiver && receiver.exitCode === null) receiver.kill('SIGTERM');
  await lab?.down({ purge: true });
});

describe('log level (net.inet.carp.log)', () => {
  it('level 2: the state change in carp(4) wording, to syslog and to the log file; debug lines only at level 7', async () => {
    await waitFor(async () => (await stateOf(lab, 'fw2', 1)) === 'MASTER', 10_000, 'fw2 MASTER');
    await waitFor(async () => ((await status(lab, 'fw1')).groups[0]?.received ?? 0) >= 2, 10_000, 'fw1 BACKUP hearing fw2');
    const pid1 = (await status(lab, 'fw1')).agent.pid;
    expect((await status(lab, 'fw1')).log).toBe(2);

    // fw2, no syslog socket: its file has the transition, as stderr lines
    const file2 = await sh(lab, 'fw2', 'cat /var/log/carp-agent.log');
    expect(file2).toMatch(/^carp-agent\[\d+\]: carp: vhid 1 \(eth0\): state transition: BACKUP -> MASTER$/m);
    expect(file2).not.toContain('advert from');

    // fw1 at level 2: syslog has its start line (notice, facility daemon: <29>) and nothing of CARP yet
    expect(syslog()).toContain(`<29>carp-agent[${pid1}]: started `);
    expect(syslog()).toContain('logging to syslog (/run/test-syslog.sock, facility daemon) at level 2');
    expect(syslog()).not.toContain('advert from');
    expect(syslog()).not.toContain('state transition');

    // level 7: every advert heard, as a debug datagram (<31> = daemon.debug)
    expect((await agentCli(lab, 'fw1', 'set log 7')).stdout.trim()).toBe('log 7');
    await waitFor(async () => syslog().includes('advert from'), 5000, 'a debug line in syslog');
    expect(syslog()).toMatch(new RegExp(`^<31>carp-agent\\[${pid1}\\]: carp: vhid 1 \\(eth0\\): advert from 198\\.18\\.${ID}\\.\\d+: advbase 1 advskew 0 demote 0$`, 'm'));

    // back to 2: no more debug lines
    expect((await agentCli(lab, 'fw1', 'set log 2')).code).toBe(0);
    const debugLines = () => syslog().split('\n').filter((l) => l.includes('advert from')).length;
    await new Promise((r) => setTimeout(r, 500)); // datagrams sent before the change are written by the receiver
    const n = debugLines();
    await new Promise((r) => setTimeout(r, 2500));
    expect(debugLines()).toBe(n);

    // the master leaves: fw1's transition at LOG_CRIT (<26> = daemon.crit), then why
    await stopAgent(lab, 'fw2');
    await waitFor(async () => (await stateOf(lab, 'fw1', 1)) === 'MASTER', 8000, 'fw1 MASTER');
    await waitFor(async () => syslog().includes('state transition: BACKUP -> MASTER'), 3000, 'the transition in syslog');
    const lines = syslog().split('\n');
    const i = lines.indexOf(`<26>carp-agent[${pid1}]: carp: vhid 1 (eth0): state transition: BACKUP -> MASTER`);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(lines[i + 1]).toMatch(new RegExp(`^<26>carp-agent\\[${pid1}\\]: carp: vhid 1 \\(eth0\\): reason: master .* bowed out`));
    // nothing of fw1's CARP went to its log file: syslog took it
    expect(await sh(lab, 'fw1', 'cat /var/log/carp-agent.log')).not.toContain('state transition');
    await startAgent(lab, 'fw2', null);
  });
});
