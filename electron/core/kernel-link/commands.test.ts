// The agent's commands on a kernel-CARP host, decided (pure): the native command lines, the agent-style
// reply, and the commands that undo a change; maintenance as a demotion read back; refusals that say why.
import { describe, expect, it } from 'vitest';
import { SnapshotSchema } from '../../../agent/control/messages.js';
import type { KernelSystem } from '../kernel/detect.js';
import * as F from '../kernel/fixtures/freebsd.js';
import * as O from '../kernel/fixtures/openbsd.js';
import { parseFreebsdIfconfig } from '../kernel/freebsd-ifconfig.js';
import { buildFreebsdState, buildOpenbsdState } from '../kernel/model.js';
import { parseCarpNetstat } from '../kernel/netstat.js';
import { parseOpenbsdIfconfig } from '../kernel/openbsd-ifconfig.js';
import { parseCarpSysctl } from '../kernel/sysctl.js';
import { redactedLine, shellLine } from '../kernel/command.js';
import { planKernelCommand } from './commands.js';
import { kernelSnapshot, operatorDemotion, updateSince } from './snapshot.js';
import { parseBoottime } from './kernel-link.js';

const OPENBSD: KernelSystem = { kind: 'openbsd', version: '7.6', kernel: 'OpenBSD 7.6', label: 'OpenBSD 7.6' };
const PFSENSE: KernelSystem = { kind: 'pfsense', version: '2.7.2-RELEASE', kernel: 'FreeBSD 14.0-CURRENT', label: 'pfSense 2.7.2-RELEASE (FreeBSD 14.0-CURRENT)' };
const FREEBSD: KernelSystem = { kind: 'freebsd', version: '14.1-RELEASE', kernel: 'FreeBSD 14.1-RELEASE', label: 'FreeBSD 14.1-RELEASE' };
const openbsd = (carp = 0) => buildOpenbsdState({ system: OPENBSD, ifconfig: parseOpenbsdIfconfig(O.OPENBSD_IFCONFIG_MASTER), groups: { carp }, sysctl: parseCarpSysctl(O.OPENBSD_SYSCTL, 'openbsd'), counters: parseCarpNetstat(O.OPENBSD_NETSTAT) });
const freebsd = (system: KernelSystem) => buildFreebsdState({ system, ifconfig: parseFreebsdIfconfig(F.FREEBSD14_IFCONFIG), sysctl: parseCarpSysctl(F.FREEBSD_SYSCTL, 'freebsd'), counters: parseCarpNetstat(F.FREEBSD_NETSTAT) });
const lines = (cs: { argv: string[] }[]) => cs.map((c) => shellLine(c as never));
const GROUP = { vhid: 7, interface: 'em0', addresses: ['198.51.100.7/24'], password: 'sekrit7', advbase: 1, advskew: 50, preempt: true, neutral: false };

describe('maintenance and demotion on a kernel host', () => {
  it('OpenBSD: maintenance is the carp group counter raised by 128, read back as such; demote adds to it', () => {
    expect(operatorDemotion(openbsd(0))).toEqual({ demote: 0, maintenance: false });
    expect(operatorDemotion(openbsd(130))).toEqual({ demote: 2, maintenance: true });
    const on = planKernelCommand({ cmd: 'maintenance', on: true }, openbsd(2), 1);
    expect(lines(on.commands)).toEqual(['ifconfig -g carp carpdemote 128']);
    expect(on.reply).toEqual({ demote: 2, maintenance: true });
    expect(lines(planKernelCommand({ cmd: 'maintenance', on: false }, openbsd(130), 1).commands)).toEqual(['ifconfig -g carp -carpdemote 128']);
    expect(planKernelCommand({ cmd: 'maintenance', on: true }, openbsd(130), 1).commands).toEqual([]);
    expect(lines(planKernelCommand({ cmd: 'demote', op: 'set', value: 5 }, openbsd(130), 1).commands)).toEqual(['ifconfig -g carp carpdemote 3']);
    expect(() => planKernelCommand({ cmd: 'demote', op: 'set', value: 200 }, openbsd(130), 1)).toThrow(/demote would become 200/);
  });

  it('FreeBSD: net.inet.carp.demotion is adjusted by the difference (it adds what is written)', () => {
    expect(lines(planKernelCommand({ cmd: 'maintenance', on: true }, freebsd(FREEBSD), 1).commands)).toEqual(['sysctl net.inet.carp.demotion=240']);
    expect(planKernelCommand({ cmd: 'maintenance', on: true }, freebsd(FREEBSD), 1).reply).toEqual({ demote: 0, maintenance: true });
  });

  it('pfSense: maintenance says that pfSense\'s own persistent CARP maintenance mode is separate and not changed', () => {
    const p = planKernelCommand({ cmd: 'maintenance', on: true }, freebsd(PFSENSE), 1);
    expect(lines(p.commands)).toEqual(['sysctl net.inet.carp.demotion=240']);
    expect((p.reply as { note: string }).note).toMatch(/^pfSense: maintenance raises net\.inet\.carp\.demotion \(lost at reboot\); pfSense's own "persistent CARP maintenance mode" is a separate setting and is not changed\.$/);
  });
});

describe('groups on a kernel host', () => {
  it('OpenBSD: a new vhid on the first free carpN, persisted in /etc/hostname.carpN; the password never in the loggable form', () => {
    const p = planKernelCommand({ cmd: 'putGroup', group: GROUP }, openbsd(), 3);
    expect(p.reply).toEqual({ revision: 4, dryRun: false, added: [7], removed: [], changed: [] });
    const shown = p.commands.map((c) => redactedLine(c));
    expect(shown).toEqual([
      'ifconfig carp0 vhid 7 carpdev em0 pass <redacted> advbase 1 advskew 50',
      'ifconfig carp0 inet 198.51.100.7/24 alias',
      'ifconfig carp0 up',
      expect.stringMatching(/^sh -c .* carp-console-write \/etc\/hostname\.carp0$/),
    ]);
    expect(shown.join('\n') + p.commands.map((c) => c.redactedStdin ?? '').join('')).not.toContain('sekrit7');
    expect(p.commands[3].stdin).toContain('pass sekrit7');
    // Undo: the new carp interface goes, its file with it (kept as .bak).
    expect(lines(p.undo!)).toEqual(['ifconfig carp0 destroy', expect.stringMatching(/carp-console-retire \/etc\/hostname\.carp0$/)]);
    // A dry run runs nothing and keeps the revision.
    expect(planKernelCommand({ cmd: 'putGroup', group: GROUP, dryRun: true }, openbsd(), 3)).toMatchObject({ commands: [], reply: { revision: 3, dryRun: true, added: [7] } });
  });

  it('OpenBSD: changing an existing vhid keeps its carpN; undo puts the old file back and runs netstart', () => {
    const s = openbsd();
    const v = s.vhids[0];
    const p = planKernelCommand({ cmd: 'putGroup', group: { ...GROUP, vhid: v.vhid, addresses: ['198.51.100.1/24'] } }, s, 1);
    expect(p.reply).toMatchObject({ changed: [v.vhid], added: [] });
    expect(lines(p.commands)).toContain(`ifconfig ${v.interface} inet 198.51.100.3 delete`);
    expect(lines(p.undo!)).toEqual([expect.stringMatching(/carp-console-restore \/etc\/hostname\.carp1$/), 'ifconfig carp1 destroy', 'sh /etc/netstart carp1']);
    const set = planKernelCommand({ cmd: 'set', vhid: v.vhid, key: 'advskew', value: 100 }, s, 1);
    expect(lines(set.commands)[0]).toBe('ifconfig carp1 advskew 100');
    expect(lines(set.undo!)[0]).toBe(`ifconfig carp1 advskew ${v.advskew}`);
    expect(lines(planKernelCommand({ cmd: 'deleteGroup', vhid: v.vhid }, s, 1).commands)).toEqual(['ifconfig carp1 destroy', expect.stringMatching(/carp-console-retire/)]);
  });

  it('preempt is one sysctl for the host: set live and kept in /etc/sysctl.conf, undone the same way', () => {
    const p = planKernelCommand({ cmd: 'putGroup', group: { ...GROUP, preempt: false } }, openbsd(), 1);
    expect(lines(p.commands).slice(-2)).toEqual(['sysctl net.inet.carp.preempt=0', expect.stringMatching(/carp-console-sysctl net\.inet\.carp\.preempt 0$/)]);
    expect(lines(p.undo!).slice(-2)).toEqual(['sysctl net.inet.carp.preempt=1', expect.stringMatching(/carp-console-sysctl net\.inet\.carp\.preempt 1$/)]);
  });

  it('refuses what a kernel host cannot do, saying why', () => {
    expect(() => planKernelCommand({ cmd: 'putGroup', group: GROUP }, freebsd(PFSENSE), 1)).toThrow(/config\.xml/);
    expect(() => planKernelCommand({ cmd: 'putGroup', group: { ...GROUP, upscript: '/usr/local/sbin/up.sh' } }, openbsd(), 1)).toThrow(/kernel CARP runs no hook scripts/);
    expect(() => planKernelCommand({ cmd: 'apply', config: { groups: [] } }, openbsd(), 1)).toThrow(/one at a time/);
    expect(() => planKernelCommand({ cmd: 'set', vhid: 99, key: 'advskew', value: 1 }, openbsd(), 1)).toThrow(/no vhid 99/);
    expect(() => planKernelCommand({ cmd: 'putGroup', group: { ...GROUP, password: 'has space' } }, openbsd(), 1)).toThrow(/hostname\.carp0/);
    // Also in the dry run the console's two-phase apply sends first: refused before anything changes.
    expect(() => planKernelCommand({ cmd: 'putGroup', group: { ...GROUP, password: 'has space' }, dryRun: true }, openbsd(), 1)).toThrow(/hostname\.carp0/);
    expect(() => planKernelCommand({ cmd: 'putGroup', group: { ...GROUP, password: 'has space' }, dryRun: true }, freebsd(FREEBSD), 1)).toThrow(/rc\.conf/);
  });
});

describe('the snapshot of a kernel host', () => {
  it('is a valid agent Snapshot that says it is kernel CARP, with maintenance read back', () => {
    const s = openbsd(128);
    const since = updateSince(new Map(), s.vhids, 5000);
    const snap = kernelSnapshot(s, { hostname: 'gw1', bootedAt: 1000, revision: 2, since, now: 6000 });
    expect(SnapshotSchema.parse(snap)).toEqual(snap);
    expect(snap).toMatchObject({ kernel: { system: 'openbsd' }, demote: 0, maintenance: true, agent: { version: 'kernel', startedAt: 1000, configRevision: 2, os: 'OpenBSD 7.6, kernel CARP (no agent)' } });
    expect(snap.groups[0]).toMatchObject({ vhid: 1, interface: 'em0', state: 'MASTER', since: 5000 });
    // The time of a state is kept while the state stays, renewed when it changes.
    expect(updateSince(since, s.vhids, 9000).get(1)!.since).toBe(5000);
    expect(updateSince(since, [{ ...s.vhids[0], state: 'BACKUP' }], 9000).get(1)!.since).toBe(9000);
  });

  it('reads the boot time as OpenBSD and FreeBSD print it', () => {
    expect(parseBoottime('1700000000\n')).toBe(1_700_000_000_000);
    expect(parseBoottime('{ sec = 1700000001, usec = 5 } Tue Nov 14 22:13:21 2023\n')).toBe(1_700_000_001_000);
    expect(parseBoottime('')).toBeNull();
  });
});
