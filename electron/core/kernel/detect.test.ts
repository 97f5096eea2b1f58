// System detection from the probe's sections, the probe script itself (run through sh here, a Linux
// host), and the section format that every kernel read uses (run through sh with stub steps).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { detectSystem, isKernelSystem, PROBE_SCRIPT } from './detect.js';
import { KernelParseError } from './errors.js';
import * as P from './fixtures/systems.js';
import { parseSections, sectionScript } from './sections.js';

const sh = (script: string) => spawnSync('sh', ['-c', script], { encoding: 'utf8' });

describe('detectSystem', () => {
  it('tells OpenBSD and plain FreeBSD by uname', () => {
    expect(detectSystem(P.PROBE_OPENBSD)).toEqual({ kind: 'openbsd', version: '7.6', kernel: 'OpenBSD 7.6', label: 'OpenBSD 7.6' });
    expect(detectSystem(P.PROBE_FREEBSD)).toEqual({ kind: 'freebsd', version: '14.1-RELEASE-p5', kernel: 'FreeBSD 14.1-RELEASE-p5', label: 'FreeBSD 14.1-RELEASE-p5' });
  });

  it('tells pfSense by /etc/platform and takes its version from /etc/version', () => {
    expect(detectSystem(P.PROBE_PFSENSE)).toMatchObject({ kind: 'pfsense', version: '2.7.2-RELEASE', label: 'pfSense 2.7.2-RELEASE (FreeBSD 14.0-CURRENT)' });
    // pfSsh.php alone (no /etc/platform) still means pfSense when no OPNsense marker is there.
    const bare = P.probeOutput({ uname: 'FreeBSD', release: '14.0-CURRENT', pfssh: true });
    expect(detectSystem(bare)).toMatchObject({ kind: 'pfsense', version: 'unknown' });
  });

  it('tells OPNsense before pfSense although OPNsense ships pfSsh.php too', () => {
    expect(detectSystem(P.PROBE_OPNSENSE)).toMatchObject({ kind: 'opnsense', version: '24.7.3_1', label: 'OPNsense 24.7.3_1 (FreeBSD 14.1-RELEASE-p6)' });
    expect(detectSystem(P.PROBE_OPNSENSE_OLD)).toMatchObject({ kind: 'opnsense', version: '22.7.11' });
  });

  it('says clearly when the host is not a BSD it drives', () => {
    const linux = detectSystem(P.PROBE_LINUX);
    expect(linux).toMatchObject({ kind: 'not-bsd', uname: 'Linux 6.1.0-28-amd64' });
    expect(isKernelSystem(linux)).toBe(false);
    expect(linux.kind === 'not-bsd' && linux.message).toMatch(/not a BSD: it runs carp-agent/);
    expect(detectSystem(P.PROBE_NETBSD)).toMatchObject({ kind: 'unsupported-bsd', message: expect.stringMatching(/NetBSD 10\.0 is a BSD this console does not drive/) });
  });

  it('refuses a cut-off probe and a probe without uname', () => {
    const cut = P.PROBE_PFSENSE.slice(0, P.PROBE_PFSENSE.indexOf('@@carp-console:pfssh'));
    expect(() => detectSystem(cut)).toThrow(KernelParseError);
    expect(() => detectSystem(cut)).toThrow(/line \d+ "": expected the section marker @@carp-console:pfssh: output cut off/);
    const noUname = P.PROBE_OPENBSD.replace('OpenBSD\n', '');
    expect(() => detectSystem(noUname)).toThrow(/`uname -s` printed nothing/);
  });

  it('runs as POSIX sh: on this Linux host the real probe says not-bsd', () => {
    const r = sh(PROBE_SCRIPT);
    expect(r.status).toBe(0);
    expect(detectSystem(r.stdout)).toMatchObject({ kind: 'not-bsd', uname: expect.stringMatching(/^Linux /) });
  });
});

describe('section script', () => {
  it('keeps each step output exactly, with its exit status, whatever its last character', () => {
    const script = sectionScript([
      { name: 'two-lines', sh: "printf 'a\\nb\\n'" },
      { name: 'no-newline', sh: "printf 'cut'" },
      { name: 'empty', sh: 'true' },
      { name: 'fails', sh: 'echo partial; exit 3' },
      { name: 'says-rc', sh: "printf 'x rc=1\\n\\n'" },
      { name: 'stderr', sh: 'echo out; echo err >&2' },
    ]);
    const r = sh(script);
    expect(r.status).toBe(0);
    const s = parseSections('test', r.stdout, ['two-lines', 'no-newline', 'empty', 'fails', 'says-rc', 'stderr']);
    expect(s['two-lines']).toEqual({ text: 'a\nb\n', rc: 0 });
    expect(s['no-newline']).toEqual({ text: 'cut', rc: 0 });
    expect(s.empty).toEqual({ text: '', rc: 0 });
    expect(s.fails).toEqual({ text: 'partial\n', rc: 3 });
    expect(s['says-rc']).toEqual({ text: 'x rc=1\n\n', rc: 0 });
    expect(s.stderr).toEqual({ text: 'out\n', rc: 0 });
  });

  it('refuses output without the end marker or an rc line', () => {
    const full = P.sectionOutput([['a', 'x\n', 0]]);
    expect(parseSections('t', full, ['a'])).toEqual({ a: { text: 'x\n', rc: 0 } });
    expect(() => parseSections('t', full.replace('@@carp-console:end\n', ''), ['a'])).toThrow(/no @@carp-console:end line: output cut off/);
    expect(() => parseSections('t', '@@carp-console:a\nx\n', ['a'])).toThrow(/section a has no "@@carp-console:rc N" line/);
  });
});
