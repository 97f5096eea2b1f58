// KernelLink over a fake OpenBSD host (a transport that answers the console's read script with the
// tools' formats and carries out the few commands used): live with a kernel snapshot, a route monitor
// line read at once, a command as OpenBSD's tool with its event, a failed change undone and reported
// without the password, stale when reads stop answering, rollback newest first, a reboot seen.
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../agent/control/messages.js';
import type { ExecResult, HostTransport, LineChannel } from '../transport.js';
import type { HostReport } from '../fleet/types.js';
import type { KernelSystem } from '../kernel/detect.js';
import * as O from '../kernel/fixtures/openbsd.js';
import { SECTION_MARK } from '../kernel/sections.js';
import { OPENBSD_STATE_SCRIPT } from '../kernel/state-read.js';
import { until } from '../testing/until.js';
import { KernelLink, META_SCRIPT } from './kernel-link.js';

const OPENBSD: KernelSystem = { kind: 'openbsd', version: '7.6', kernel: 'OpenBSD 7.6', label: 'OpenBSD 7.6' };
const section = (name: string, text: string, rc = 0) => `${SECTION_MARK}${name}\n${text}\n${SECTION_MARK}rc ${rc}\n`;

class FakeOpenbsd implements HostTransport {
  readonly host = { name: 'gw1', address: '198.18.0.1', port: 22, user: 'root', identityFiles: [], tags: [] };
  state: 'MASTER' | 'BACKUP' = 'MASTER';
  demote = 0;
  boot = 1_700_000_000;
  hang = false;
  fail: RegExp | null = null;
  ran: string[] = [];
  monitor: ((line: string) => void) | null = null;
  async exec(command: string, o: { timeoutMs?: number } = {}): Promise<ExecResult> {
    if (this.hang) return new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), o.timeoutMs ?? 1000));
    if (command === META_SCRIPT) return { code: 0, stdout: `gw1\n${this.boot}\n`, stderr: '' };
    if (command === OPENBSD_STATE_SCRIPT) {
      const ifconfig = O.OPENBSD_IFCONFIG_MASTER.replace('carp: MASTER', `carp: ${this.state}`);
      const out = section('ifconfig', ifconfig) + section('groups', `carp: carp demote count ${this.demote}\n`) + section('sysctl', O.OPENBSD_SYSCTL) + section('netstat', O.OPENBSD_NETSTAT) + `${SECTION_MARK}end\n`;
      return { code: 0, stdout: out, stderr: '' };
    }
    this.ran.push(command);
    if (this.fail?.test(command)) return { code: 1, stdout: '', stderr: 'ifconfig: SIOCSVH: Invalid argument' };
    const m = /^ifconfig -g carp (-?)carpdemote (\d+)$/.exec(command);
    if (m) this.demote += (m[1] ? -1 : 1) * Number(m[2]);
    return { code: 0, stdout: '', stderr: '' };
  }
  async openLines(command: string): Promise<LineChannel> {
    expect(command).toBe('exec route -n monitor');
    let onLine: (l: string) => void = () => {};
    this.monitor = (l) => onLine(l);
    return { onLine: (cb) => void (onLine = cb), onClose: () => {}, write: () => {}, close: () => void (this.monitor = null) };
  }
  async upload(): Promise<void> {}
  close(): void {}
}

let link: KernelLink | undefined;
afterEach(() => link?.stop());

function start(host: FakeOpenbsd, o: { pollMs?: number; staleMs?: number } = {}) {
  const reports: HostReport[] = [];
  const events: AgentEvent[] = [];
  link = new KernelLink(host, OPENBSD, { onReport: (r) => reports.push(r), onEvent: (e) => events.push(e) }, { pollMs: o.pollMs ?? 60_000, staleMs: o.staleMs ?? 2500 });
  link.start();
  return { reports, events, link };
}

describe('KernelLink on a fake OpenBSD host', () => {
  it('goes live with a kernel snapshot; a route monitor line is read at once and its state change becomes an event', async () => {
    const h = new FakeOpenbsd();
    const { events, link: l } = start(h);
    await l.waitLive(2000);
    expect(l.report()).toMatchObject({ status: 'live', snapshot: { kernel: { system: 'openbsd' }, maintenance: false, groups: [{ vhid: 1, state: 'MASTER', interface: 'em0' }] } });
    expect(l.agentId()).toBe('kernel@1700000000000');
    await until(() => h.monitor !== null);
    h.state = 'BACKUP';
    h.monitor!('RTM_IFINFO: iface status change: len 168, if# 7, name carp1, link: backup, mtu: 1500, flags:<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST>');
    // The poll is a minute away: only the monitor line can have caused this read.
    await until(() => l.report().snapshot?.groups[0].state === 'BACKUP', 2000);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'state', vhid: 1, from: 'MASTER', to: 'BACKUP' }));
  });

  it('maintenance runs ifconfig -g carp carpdemote 128 and is read back; a failed change is undone and reported without the password', async () => {
    const h = new FakeOpenbsd();
    const { events, link: l } = start(h);
    await l.waitLive(2000);
    expect(await l.request({ cmd: 'maintenance', on: true })).toEqual({ demote: 0, maintenance: true });
    expect(h.ran).toEqual(['ifconfig -g carp carpdemote 128']);
    expect(l.report().snapshot).toMatchObject({ maintenance: true, demote: 0 });
    expect(events).toContainEqual(expect.objectContaining({ kind: 'demotion', maintenance: true }));
    h.ran = [];
    h.fail = /advskew 50/;
    const group = { vhid: 7, interface: 'em0', addresses: ['198.51.100.7/24'], password: 'sekrit7', advbase: 1, advskew: 50, neutral: false };
    const err = await l.request({ cmd: 'putGroup', group }).catch((e: Error & { code?: string }) => e);
    expect(err).toMatchObject({ code: 'io' });
    expect((err as Error).message).toMatch(/^gw1: set carp0 to vhid 7 on em0, advbase 1, advskew 50 failed \(exit 1\): ifconfig: SIOCSVH: Invalid argument \(ran: ifconfig carp0 vhid 7 carpdev em0 pass <redacted> advbase 1 advskew 50\)$/);
    expect((err as Error).message).not.toContain('sekrit7');
    // What it began is undone: the new carp interface destroyed, its file retired.
    expect(h.ran.slice(1)).toEqual(['ifconfig carp0 destroy', expect.stringMatching(/carp-console-retire/)]);
  });

  it('rolls back its own changes newest first', async () => {
    const h = new FakeOpenbsd();
    const { link: l } = start(h);
    await l.waitLive(2000);
    const a = (await l.request({ cmd: 'set', vhid: 1, key: 'advskew', value: 20 })) as { revision: number };
    const b = (await l.request({ cmd: 'set', vhid: 1, key: 'advskew', value: 30 })) as { revision: number };
    expect([a.revision, b.revision]).toEqual([2, 3]);
    await expect(l.request({ cmd: 'rollback', revision: 2 })).rejects.toMatchObject({ code: 'conflict' });
    h.ran = [];
    expect(await l.request({ cmd: 'rollback', revision: 3 })).toMatchObject({ revision: 4, changed: [1] });
    expect(h.ran[0]).toBe('ifconfig carp1 advskew 0');
    await expect(l.request({ cmd: 'rollback', revision: 2 })).resolves.toMatchObject({ revision: 5 });
    await expect(l.request({ cmd: 'rollback', revision: 9 })).rejects.toMatchObject({ code: 'unknown-revision' });
  });

  it('is stale when reads stop answering, live again when they answer, and a new boot time is a new "process"', async () => {
    const h = new FakeOpenbsd();
    const { link: l } = start(h, { pollMs: 50, staleMs: 300 });
    await l.waitLive(2000);
    h.hang = true;
    await until(() => l.report().status !== 'live', 2000);
    expect(['stale', 'unreachable']).toContain(l.report().status);
    h.boot += 120;
    h.hang = false;
    await until(() => l.report().status === 'live', 3000);
    expect(l.agentId()).toBe(`kernel@${h.boot * 1000}`);
  });
});
