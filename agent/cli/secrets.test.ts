// Passwords on the agent's command line: --passfile is the documented way, --pass still works (ucarp's
// scripts) but warns on stderr why and what to use; `status --json` carries no password check value.
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs, PASS_WARNING, USAGE } from './args.js';
import { statusJson } from './format.js';
import type { Snapshot } from '../control/messages.js';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('passwords on the command line', () => {
  it('--pass and -p warn (ps and /proc show the command line), --passfile does not', () => {
    dir = mkdtempSync(join(tmpdir(), 'ar-pass-'));
    const file = join(dir, 'pass');
    writeFileSync(file, 'from-file\n', { mode: 0o600 });
    const viaFile = parseArgs(['run', '-i', 'eth0', '-v', '7', '--passfile', file, '-a', '198.18.0.5']);
    expect(viaFile).toMatchObject({ cmd: 'run', inline: { groups: [{ password: 'from-file' }] } });
    expect(viaFile).not.toHaveProperty('warnings');
    for (const pass of [['--pass', 'on-argv'], ['-p', 'on-argv'], ['--pass=on-argv']]) {
      expect(parseArgs(['run', '-i', 'eth0', '-v', '7', ...pass, '-a', '198.18.0.5'])).toMatchObject({ cmd: 'run', warnings: [PASS_WARNING] });
    }
    expect(PASS_WARNING).toMatch(/every user of this host can read it \(ps, \/proc\/PID\/cmdline\).*use --passfile FILE instead/);
  });

  it('the usage leads with --passfile and says why not --pass; a missing password names --passfile', () => {
    const run = USAGE.split('\n').find((l) => l.includes('run --interface'))!;
    expect(run).toContain('--passfile FILE');
    expect(run).not.toContain('--pass P');
    expect(USAGE).toMatch(/--pass P works too, but\s+every user of the host sees it/);
    expect(() => parseArgs(['run', '-i', 'eth0', '-v', '7', '-a', '198.18.0.5'])).toThrow(/^--passfile FILE is required/);
  });
});

describe('carp-agent status --json', () => {
  it('prints every group field but the password check value', () => {
    const check = 'ab'.repeat(16);
    const s: Snapshot = {
      type: 'snapshot', protocol: 1,
      agent: { version: 't', hostname: 'h', pid: 1, startedAt: 0, uptimeMs: 0, configPath: '/c', configRevision: 1 },
      demote: 0, maintenance: false, unmatchedDrops: {},
      groups: [{ vhid: 1, interface: 'eth0', segment: 's', srcip: 'x', addresses: ['198.18.0.100/24'], state: 'MASTER', since: 0, advbase: 1, advskew: 0, wireAdvskew: 0, wireAdvbase: 1, demote: 0, preempt: true, passwordCheck: check, lastAdvert: null, sent: 1, received: 0, drops: {} }],
    };
    const out = JSON.stringify(statusJson(s));
    expect(out).not.toContain(check);
    expect(out).not.toContain('passwordCheck');
    expect(statusJson(s).groups[0]).toMatchObject({ vhid: 1, state: 'MASTER', sent: 1 });
    expect(s.groups[0].passwordCheck).toBe(check); // the snapshot itself is left as it was
  });
});
