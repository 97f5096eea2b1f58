// OpenBSD command builders: exact argv, validated input, passwords only in the clear argv/stdin
// (redacted forms hide them), /etc/hostname.carpN content, and the atomic write run through sh.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redactedLine, shellLine } from './command.js';
import {
  ATOMIC_WRITE,
  openbsdApplyVhid,
  openbsdDemote,
  openbsdHostnameFile,
  openbsdPersistVhid,
  openbsdSetAdvbase,
  openbsdSetAdvskew,
  openbsdSetAllow,
  openbsdSetLog,
  openbsdSetPreempt,
  openbsdUndemote,
  type OpenbsdVhidSpec,
} from './commands-openbsd.js';
import { KernelCommandError } from './errors.js';

const SPEC: OpenbsdVhidSpec = { carpIf: 'carp1', vhid: 1, carpdev: 'em0', password: "pa$$ w'rd", advbase: 1, advskew: 100, addresses: ['198.51.100.1/24', '198.51.100.3/24'] };

describe('OpenBSD live commands', () => {
  it('creates a vhid: carp parameters, addresses, up; the password only in the clear forms', () => {
    const cmds = openbsdApplyVhid(SPEC);
    expect(cmds.map((c) => c.argv)).toEqual([
      ['ifconfig', 'carp1', 'vhid', '1', 'carpdev', 'em0', 'pass', "pa$$ w'rd", 'advbase', '1', 'advskew', '100'],
      ['ifconfig', 'carp1', 'inet', '198.51.100.1/24', 'alias'],
      ['ifconfig', 'carp1', 'inet', '198.51.100.3/24', 'alias'],
      ['ifconfig', 'carp1', 'up'],
    ]);
    expect(shellLine(cmds[0])).toBe("ifconfig carp1 vhid 1 carpdev em0 pass 'pa$$ w'\\''rd' advbase 1 advskew 100");
    expect(redactedLine(cmds[0])).toBe('ifconfig carp1 vhid 1 carpdev em0 pass <redacted> advbase 1 advskew 100');
    expect(cmds[0].redactedArgv.join(' ')).not.toContain('pa$$');
    expect(cmds[0].summary).toBe('set carp1 to vhid 1 on em0, advbase 1, advskew 100');
  });

  it('changes the VIPs: adds the new ones before deleting the old ones', () => {
    const cmds = openbsdApplyVhid({ ...SPEC, addresses: ['198.51.100.1/24', '198.51.100.9/24'] }, ['198.51.100.1/24', '198.51.100.3/24']);
    expect(cmds.slice(1).map((c) => shellLine(c))).toEqual(['ifconfig carp1 inet 198.51.100.9/24 alias', 'ifconfig carp1 inet 198.51.100.3 delete', 'ifconfig carp1 up']);
  });

  it('sets advskew/advbase, demotes and undemotes the carp group, sets the sysctls', () => {
    expect(openbsdSetAdvskew('carp1', 200).argv).toEqual(['ifconfig', 'carp1', 'advskew', '200']);
    expect(openbsdSetAdvbase('carp1', 0, 10).argv).toEqual(['ifconfig', 'carp1', 'advbase', '0']);
    expect(openbsdDemote(50).argv).toEqual(['ifconfig', '-g', 'carp', 'carpdemote', '50']);
    expect(openbsdUndemote(50).argv).toEqual(['ifconfig', '-g', 'carp', '-carpdemote', '50']);
    expect(openbsdDemote(1, 'internal').argv).toEqual(['ifconfig', '-g', 'internal', 'carpdemote', '1']);
    expect(openbsdSetPreempt(true).argv).toEqual(['sysctl', 'net.inet.carp.preempt=1']);
    expect(openbsdSetAllow(false).argv).toEqual(['sysctl', 'net.inet.carp.allow=0']);
    expect(openbsdSetLog(7).argv).toEqual(['sysctl', 'net.inet.carp.log=7']);
  });

  it('refuses bad input with the reason', () => {
    const bad = (f: () => unknown, re: RegExp) => {
      expect(f).toThrow(KernelCommandError);
      expect(f).toThrow(re);
    };
    bad(() => openbsdApplyVhid({ ...SPEC, vhid: 0 }), /vhid 0 is not allowed: must be 1\.\.255/);
    bad(() => openbsdApplyVhid({ ...SPEC, advskew: 255 }), /advskew 255 is not allowed: must be 0\.\.254 \(255 is reserved for the bow-out advert/);
    bad(() => openbsdApplyVhid({ ...SPEC, advbase: 255 }), /advbase 255 is not allowed: must be 0\.\.254 \(OpenBSD ifconfig accepts 0\.\.254\)/);
    bad(() => openbsdApplyVhid({ ...SPEC, advbase: 0, advskew: 0 }), /advbase 0 needs advskew 1\.\.254/);
    bad(() => openbsdApplyVhid({ ...SPEC, carpIf: 'em0' }), /"em0" is not an OpenBSD carp interface name/);
    bad(() => openbsdApplyVhid({ ...SPEC, carpdev: 'em0;reboot' }), /"em0;reboot" is not an OpenBSD interface name/);
    bad(() => openbsdApplyVhid({ ...SPEC, addresses: ['198.51.100.1'] }), /the prefix is required/);
    bad(() => openbsdApplyVhid({ ...SPEC, addresses: [] }), /needs at least one address/);
    bad(() => openbsdApplyVhid({ ...SPEC, addresses: ['198.51.100.1/24', '198.51.100.1/32'] }), /address listed twice/);
    bad(() => openbsdApplyVhid({ ...SPEC, password: 'x'.repeat(20) }), /longer than 19 bytes/);
    bad(() => openbsdApplyVhid({ ...SPEC, password: 'a\nb' }), /control character/);
    bad(() => openbsdApplyVhid(SPEC, ['not-an-ip']), /"not-an-ip" is not an IPv4 address/);
    bad(() => openbsdDemote(0), /must be 1\.\.128/);
    bad(() => openbsdUndemote(129), /must be 1\.\.128/);
    bad(() => openbsdDemote(1, 'carp1'), /not ending in a digit/);
    bad(() => openbsdSetLog(8), /must be 0\.\.7/);
  });
});

describe('/etc/hostname.carpN', () => {
  const FILE_SPEC = { ...SPEC, password: 'S3cret-pw' };

  it('holds the carp line, the VIPs and up; the redacted form hides the password', () => {
    const f = openbsdHostnameFile(FILE_SPEC);
    expect(f.value).toBe(
      '# carp1: vhid 1 on em0, written by carp-console (previous file: hostname.carp1.bak)\n' +
        'vhid 1 carpdev em0 pass S3cret-pw advbase 1 advskew 100\n' +
        'inet 198.51.100.1/24\n' +
        'inet alias 198.51.100.3/24\n' +
        'up\n',
    );
    expect(f.shown).toContain('pass <redacted> advbase');
    expect(f.shown).not.toContain('S3cret');
    expect(openbsdHostnameFile({ ...FILE_SPEC, password: '' }).value).toContain('vhid 1 carpdev em0 advbase 1 advskew 100\n');
  });

  it('refuses a password the shell running hostname.if lines would interpret', () => {
    expect(() => openbsdHostnameFile(SPEC)).toThrow(/the password has a character \/etc\/hostname\.carp1 cannot hold safely/);
    // The message never shows the password or which of its characters was refused.
    const msg = (() => {
      try {
        openbsdPersistVhid({ ...FILE_SPEC, password: 'ab;reboot' });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(msg).toMatch(/cannot hold safely/);
    expect(msg).not.toContain('reboot');
  });

  it('writes through a fixed script with the path as $1 and the content on stdin', () => {
    const c = openbsdPersistVhid(FILE_SPEC);
    expect(c.argv).toEqual(['sh', '-c', ATOMIC_WRITE, 'carp-console-write', '/etc/hostname.carp1']);
    expect(c.stdin).toBe(openbsdHostnameFile(FILE_SPEC).value);
    expect(c.redactedStdin).not.toContain('S3cret');
    expect(redactedLine(c)).not.toContain('S3cret');
  });
});

describe('atomic write, run through sh (chown stubbed: not root here)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kernel-write-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'chown'), '#!/bin/sh\necho "$@" >> "$(dirname "$0")/chown.log"\n');
  chmodSync(join(dir, 'chown'), 0o755);
  const write = (path: string, content: string) =>
    spawnSync('sh', ['-c', ATOMIC_WRITE, 'carp-console-write', path], { input: content, encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });

  it('keeps the previous file as .bak, leaves no temporary file, and sets mode 0640', () => {
    const etc = mkdtempSync(join(dir, 'etc-'));
    const f = join(etc, 'hostname.carp1');
    expect(write(f, 'first\n').status).toBe(0);
    expect(existsSync(`${f}.bak`)).toBe(false);
    writeFileSync(`${f}`, 'old\n');
    expect(write(f, 'new\n').status).toBe(0);
    expect(readFileSync(f, 'utf8')).toBe('new\n');
    expect(readFileSync(`${f}.bak`, 'utf8')).toBe('old\n');
    expect(statSync(f).mode & 0o777).toBe(0o640);
    expect(readdirSync(etc).sort()).toEqual(['hostname.carp1', 'hostname.carp1.bak']);
    expect(readFileSync(join(dir, 'chown.log'), 'utf8')).toContain('root:wheel');
  });

  it('fails without touching the file when the directory is not writable', () => {
    const r = write(join(dir, 'no-such-dir', 'hostname.carp1'), 'x\n');
    expect(r.status).not.toBe(0);
  });
});
