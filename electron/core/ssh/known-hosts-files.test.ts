// Which known_hosts files vouch for a host: ssh's defaults, UserKnownHostsFile / GlobalKnownHostsFile
// from ssh_config (per Host, user's config before the system's), the inventory's own files for their
// hosts alone, and how `carpctl hosts` says where a host's trust comes from. Files in a temp dir.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allKnownHostsFiles, describeTrust, knownHostsFilesFor } from './known-hosts-files.js';
import { describeHostTrust, filesForHost } from './host-keys.js';
import type { HostSpec } from '../transport.js';

const home = mkdtempSync(join(tmpdir(), 'kh-files-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
mkdirSync(join(home, '.ssh'));
mkdirSync(join(home, 'etc'));
const host = (name: string, extra: Partial<HostSpec> = {}): HostSpec => ({ name, address: '198.18.0.1', port: 22, user: 'root', identityFiles: [], tags: [], ...extra });
const consoleFile = join(home, '.config/carp-console/known_hosts');
const userCfg = join(home, '.ssh', 'config');
const sysCfg = join(home, 'etc', 'ssh_config');
const configs = [
  { file: userCfg, relDir: join(home, '.ssh') },
  { file: sysCfg, relDir: join(home, 'etc') },
];

describe('knownHostsFilesFor', () => {
  it('without ssh_config: ~/.ssh/known_hosts{,2}, the console file (where keys are written), /etc/ssh/ssh_known_hosts{,2}', () => {
    const k = knownHostsFilesFor(host('fw1'), { home, sshConfigs: [{ file: join(home, 'none'), relDir: home }], consoleFile });
    expect(k).toEqual({
      user: [join(home, '.ssh/known_hosts'), join(home, '.ssh/known_hosts2'), consoleFile],
      global: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
      inventory: [],
      write: consoleFile,
    });
  });

  it('honours UserKnownHostsFile and GlobalKnownHostsFile per Host, the user config first, ~ and %d expanded, none', () => {
    writeFileSync(userCfg, `Host fw1\n  UserKnownHostsFile ~/kh/fleet %d/kh/extra\nHost fw2\n  UserKnownHostsFile none\n`);
    writeFileSync(sysCfg, `GlobalKnownHostsFile /srv/ssh/global_known_hosts\nUserKnownHostsFile /ignored/for/fw1\n`);
    const k1 = knownHostsFilesFor(host('fw1'), { home, sshConfigs: configs, consoleFile });
    expect(k1.user).toEqual([join(home, 'kh/fleet'), join(home, 'kh/extra'), consoleFile]);
    expect(k1.global).toEqual(['/srv/ssh/global_known_hosts']);
    const k2 = knownHostsFilesFor(host('fw2'), { home, sshConfigs: configs, consoleFile });
    expect(k2.user).toEqual([consoleFile]);
    const k3 = knownHostsFilesFor(host('fw3'), { home, sshConfigs: configs, consoleFile });
    expect(k3.user).toEqual(['/ignored/for/fw1', consoleFile]);
  });

  it("a host's inventory files apply to that host alone", () => {
    const a = knownHostsFilesFor(host('fw1', { knownHostsFiles: ['/var/lib/carp-lab/lab0/known_hosts'] }), { home, sshConfigs: configs, consoleFile });
    const b = knownHostsFilesFor(host('fw9'), { home, sshConfigs: configs, consoleFile });
    expect(allKnownHostsFiles(a)).toContain('/var/lib/carp-lab/lab0/known_hosts');
    expect(allKnownHostsFiles(b)).not.toContain('/var/lib/carp-lab/lab0/known_hosts');
    // An explicit list (tests, tools) replaces the user's and system's files, never the host's own.
    expect(allKnownHostsFiles(filesForHost(host('fw1', { knownHostsFiles: ['/lab/kh'] }), ['/x/kh'], { home, sshConfigs: configs, consoleFile }))).toEqual(['/x/kh', '/lab/kh']);
  });
});

describe('where trust comes from', () => {
  const k = { user: [join(home, '.ssh/known_hosts'), consoleFile], global: ['/etc/ssh/ssh_known_hosts'], inventory: ['/var/lib/carp-lab/lab0/known_hosts'], write: consoleFile };
  it('names the file and line, ~ for home, the marker, and inventory files as such', () => {
    expect(describeTrust({ file: join(home, '.ssh/known_hosts'), line: 12 }, k, home)).toBe('~/.ssh/known_hosts:12');
    expect(describeTrust({ file: '/etc/ssh/ssh_known_hosts', line: 3, marker: 'cert-authority' }, k, home)).toBe('/etc/ssh/ssh_known_hosts:3 (@cert-authority)');
    expect(describeTrust({ file: '/var/lib/carp-lab/lab0/known_hosts', line: 2 }, k, home)).toBe('inventory known_hosts /var/lib/carp-lab/lab0/known_hosts:2');
    expect(describeTrust(undefined, k, home)).toBe('unknown');
  });
  it('before a handshake: the listing line, said to be unverified; refused keys and unlisted hosts as such', () => {
    const f = join(home, 'listed');
    writeFileSync(f, '# lab\n198.18.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHzgyxqNrgh0fqZQNn0HGaxOo9RpOrmvXTf8t6K0kd9C\n');
    const files = { user: [f], global: [], inventory: [], write: f };
    expect(describeHostTrust(host('fw1'), files)).toBe(`${f}:2 (not verified yet)`);
    expect(describeHostTrust(host('fw1', { address: '198.18.0.2' }), files)).toBe('unknown');
    expect(describeHostTrust(host('fw1'), files, { file: f, line: 2 })).toBe(`${f}:2`);
    expect(describeHostTrust(host('fw1'), files, undefined, 'changed')).toMatch(/^refused/);
  });
});
