// carpctl's exit codes and messages: the usage text only for a usage error (exit 2); an invalid or
// unreadable file is a refusal (exit 1) that prints the file's problems alone. No host is contacted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from './carpctl.js';
import { USAGE } from './args.js';

let dir: string;
let err: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carpctl-'));
  err = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('carpctl errors', () => {
  it('an invalid group file is refused with its problems alone (exit 1, no usage text)', async () => {
    const f = join(dir, 'g.yaml');
    writeFileSync(f, 'vhid: 300\ninterface: eth0\naddresses: [198.18.0.100/24]\npassword: pw\nmembers: [{host: fw1, advskew: 0}]\n');
    expect(await main(['group', 'apply', f])).toBe(1);
    expect(err).toMatch(/vhid: must be 1\.\.255/);
    expect(err).not.toContain(USAGE.split('\n')[0]);
  });

  it('an unreadable group file or inventory is refused the same way', async () => {
    expect(await main(['group', 'apply', join(dir, 'missing.yaml')])).toBe(1);
    expect(err).toMatch(/cannot read .*missing\.yaml/);
    err = '';
    writeFileSync(join(dir, 'g.json'), JSON.stringify({ vhid: 1, interface: 'eth0', addresses: ['198.18.0.100/24'], password: 'pw', members: [{ host: 'fw1', advskew: 0 }] }));
    expect(await main(['--inventory', join(dir, 'nope.json'), 'group', 'apply', join(dir, 'g.json')])).toBe(1);
    expect(err).toMatch(/cannot load the inventory .*nope\.json/);
    expect(err).not.toContain(USAGE.split('\n')[0]);
  });

  it('a usage error prints the usage text and exits 2', async () => {
    expect(await main(['frobnicate'])).toBe(2);
    expect(err).toMatch(/unknown command frobnicate/);
    expect(err).toContain(USAGE.split('\n')[0]);
  });
});
