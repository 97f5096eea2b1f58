// ssh_config import: Include with globs relative to ~/.ssh, first value wins, wildcards are defaults.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importSshConfig } from './ssh-config.js';

let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'sshcfgtest-'));
  mkdirSync(join(home, '.ssh', 'conf.d'), { recursive: true });
  writeFileSync(
    join(home, '.ssh', 'config'),
    [
      '# main config',
      'Include conf.d/*.conf',
      '',
      'Host fw1 fw2',
      '  HostName 198.19.0.%h',
      '  User admin',
      'Host fw1',
      '  Port 2222',
      '  User ignored-because-first-wins',
      'Host bastion',
      '  HostName=198.19.9.1',
      '  IdentityFile ~/.ssh/bastion_key',
      'Host *.lab !nolab.lab',
      '  ProxyJump bastion',
      '  User labuser',
      'Host *',
      '  IdentityFile ~/.ssh/id_ed25519',
      '  User fallback',
      'Match host foo',
      '  User never',
    ].join('\n'),
  );
  writeFileSync(
    join(home, '.ssh', 'conf.d', 'a.conf'),
    ['Host edge.lab', '  HostName "198.19.1.5"', '  Port 22', 'Host nolab.lab', '  HostName 198.19.1.6', 'Host direct', '  ProxyJump none'].join('\n'),
  );
  writeFileSync(join(home, '.ssh', 'conf.d', 'ignored.txt'), 'Host notincluded\n');
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('importSshConfig', () => {
  it('resolves hosts like ssh does', () => {
    const hosts = importSshConfig('~/.ssh/config', { home, defaultUser: 'me' });
    const by = Object.fromEntries(hosts.map((h) => [h.name, h]));
    // included file comes first because Include is at the top; wildcards are not hosts; Match never applies
    expect(hosts.map((h) => h.name)).toEqual(['edge.lab', 'nolab.lab', 'direct', 'fw1', 'fw2', 'bastion']);
    expect(by.fw1).toEqual({
      name: 'fw1',
      address: '198.19.0.fw1',
      port: 2222,
      user: 'admin',
      identityFiles: [join(home, '.ssh/id_ed25519')],
      tags: [],
    });
    expect(by.bastion).toMatchObject({ address: '198.19.9.1', port: 22, user: 'fallback' });
    // IdentityFile accumulates across matching blocks in order
    expect(by.bastion.identityFiles).toEqual([join(home, '.ssh/bastion_key'), join(home, '.ssh/id_ed25519')]);
    expect(by['edge.lab']).toMatchObject({ address: '198.19.1.5', jump: 'bastion', user: 'labuser' });
    // negated pattern: *.lab !nolab.lab does not apply to nolab.lab
    expect(by['nolab.lab'].jump).toBeUndefined();
    expect(by['nolab.lab'].user).toBe('fallback');
    expect(by.direct.jump).toBeUndefined();
    expect(hosts.find((h) => h.name === 'notincluded')).toBeUndefined();
  });

  it('names the host when a Port is not a number', () => {
    const f = join(home, 'bad');
    writeFileSync(f, 'Host x\n  Port abc\n');
    expect(() => importSshConfig(f, { home })).toThrow(/Host x has Port "abc"/);
  });

  it('refuses an Include loop', () => {
    const f = join(home, 'loop');
    writeFileSync(f, `Include ${f}\n`);
    expect(() => importSshConfig(f, { home })).toThrow(/nested more than 16/);
  });
});
