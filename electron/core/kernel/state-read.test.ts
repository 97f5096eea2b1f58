// The one-exec state read: the real OpenBSD/FreeBSD state scripts run through sh here with small stub
// programs for ifconfig/sysctl/netstat that print the fixtures (an emulation of the command surface,
// not of a kernel), then parseKernelState turns the output into a KernelCarpState.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KernelSystem } from './detect.js';
import * as F from './fixtures/freebsd.js';
import * as O from './fixtures/openbsd.js';
import { FREEBSD_STATE_SCRIPT, OPENBSD_STATE_SCRIPT, parseKernelState, stateScript } from './state-read.js';

const dir = mkdtempSync(join(tmpdir(), 'kernel-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes stub programs (name → sh body) into a fresh directory and runs the script with them first on PATH. */
function run(script: string, stubs: Record<string, string>, files: Record<string, string>): string {
  const bin = mkdtempSync(join(dir, 'bin-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(bin, name), text);
  for (const [name, body] of Object.entries(stubs)) {
    writeFileSync(join(bin, name), `#!/bin/sh\nD='${bin}'\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  const r = spawnSync('sh', ['-c', script.replace(/^PATH=.*$/m, `PATH=${bin}:$PATH`)], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout;
}

const OPENBSD: KernelSystem = { kind: 'openbsd', version: '7.6', kernel: 'OpenBSD 7.6', label: 'OpenBSD 7.6' };
const PFSENSE: KernelSystem = { kind: 'pfsense', version: '2.7.2-RELEASE', kernel: 'FreeBSD 14.0-CURRENT', label: 'pfSense 2.7.2-RELEASE (FreeBSD 14.0-CURRENT)' };

const OPENBSD_STUBS = {
  ifconfig: `case "$*" in
  -A|carp) cat "$D/ifconfig.txt" ;;
  "-g carp") echo 'carp: carp demote count 50' ;;
  "-g internal") echo 'internal: carp demote count 1' ;;
  *) echo "ifconfig: $*: bad" >&2; exit 1 ;;
esac`,
  sysctl: '[ "$1" = net.inet.carp ] && cat "$D/sysctl.txt"',
  netstat: '[ "$*" = "-s -p carp" ] && cat "$D/netstat.txt"',
};

describe('state read', () => {
  it('OpenBSD: reads every group of the carp interfaces and sums their demote counters', () => {
    expect(stateScript(OPENBSD)).toBe(OPENBSD_STATE_SCRIPT);
    const out = run(OPENBSD_STATE_SCRIPT, OPENBSD_STUBS, { 'ifconfig.txt': O.OPENBSD_IFCONFIG_INIT, 'sysctl.txt': O.OPENBSD_SYSCTL, 'netstat.txt': O.OPENBSD_NETSTAT });
    const s = parseKernelState(OPENBSD, out);
    expect(s.demotion).toEqual({ kind: 'openbsd-groups', groups: { carp: 50, internal: 1 } });
    expect(s.vhids).toHaveLength(1);
    expect(s.vhids[0]).toMatchObject({ vhid: 3, interface: 'carp5', state: 'INIT', demote: 51, srcip: '192.0.2.2' });
    expect(s.counters.badvhid).toBe(7);
    expect(s.warnings).toEqual([]);
  });

  it('OpenBSD: a group whose counter cannot be read fails the read', () => {
    const stubs = { ...OPENBSD_STUBS, ifconfig: OPENBSD_STUBS.ifconfig.replace(`"-g internal") echo 'internal: carp demote count 1' ;;`, '') };
    const out = run(OPENBSD_STATE_SCRIPT, stubs, { 'ifconfig.txt': O.OPENBSD_IFCONFIG_INIT, 'sysctl.txt': O.OPENBSD_SYSCTL, 'netstat.txt': O.OPENBSD_NETSTAT });
    expect(() => parseKernelState(OPENBSD, out)).toThrow(/OpenBSD ifconfig -g: exited with status 1: a carp interface group could not be read/);
  });

  it('pfSense: IFCONFIG_FORMAT unset, counters missing only warn, carp(4) missing is an error', () => {
    expect(stateScript(PFSENSE)).toBe(FREEBSD_STATE_SCRIPT);
    const stubs = {
      ifconfig: '[ -z "${IFCONFIG_FORMAT+set}" ] || { echo "IFCONFIG_FORMAT is set" >&2; exit 2; }; cat "$D/ifconfig.txt"',
      sysctl: 'cat "$D/sysctl.txt"',
      netstat: 'echo "netstat: sysctl: net.inet.carp.stats: No such file or directory" >&2; exit 1',
    };
    const files = { 'ifconfig.txt': F.PFSENSE_IFCONFIG, 'sysctl.txt': F.FREEBSD_SYSCTL_DEMOTED };
    const s = parseKernelState(PFSENSE, run(`IFCONFIG_FORMAT=inet:cidr; export IFCONFIG_FORMAT\n${FREEBSD_STATE_SCRIPT}`, stubs, files));
    expect(s.vhids.map((v) => [v.vhid, v.state, v.wireAdvskew])).toEqual([
      [10, 'BACKUP', 240],
      [11, 'INIT', 240],
    ]);
    expect(s.counters).toEqual({});
    expect(s.warnings).toEqual(['netstat -s -p carp exited with status 1: CARP counters unavailable']);

    const noCarp = { ...stubs, sysctl: 'echo "sysctl: unknown oid \'net.inet.carp\'" >&2; exit 1' };
    expect(() => parseKernelState(PFSENSE, run(FREEBSD_STATE_SCRIPT, noCarp, files))).toThrow(/FreeBSD sysctl net\.inet\.carp: exited with status 1: is carp\(4\) loaded\?/);
  });

  it('refuses output of the other system\'s script', () => {
    const out = run(OPENBSD_STATE_SCRIPT, OPENBSD_STUBS, { 'ifconfig.txt': O.OPENBSD_IFCONFIG_INIT, 'sysctl.txt': O.OPENBSD_SYSCTL, 'netstat.txt': O.OPENBSD_NETSTAT });
    expect(() => parseKernelState(PFSENSE, out)).toThrow(/expected the section marker @@carp-console:sysctl/);
  });
});
