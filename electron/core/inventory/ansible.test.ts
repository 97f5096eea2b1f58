// Ansible inventory import, INI and YAML: groups → tags, ansible_* vars → connection.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandHostRange, importAnsible } from './ansible.js';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'ansibletest-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('importAnsible INI', () => {
  it('reads groups, children, vars and host vars', () => {
    const f = join(dir, 'hosts.ini');
    writeFileSync(
      f,
      [
        'standalone ansible_host=198.19.5.5',
        '[edge]',
        'fw1 ansible_host=198.19.0.1 ansible_port=2222',
        'fw2 ansible_host=198.19.0.2 ansible_user=ops',
        '[core]',
        'fw[3:4] ansible_ssh_private_key_file=~/.ssh/core',
        '[firewalls:children]',
        'edge',
        'core',
        '[firewalls:vars]',
        'ansible_user=admin',
        "ansible_ssh_common_args='-J jump@198.19.9.1'",
        '[edge:vars]',
        'ansible_port=22',
      ].join('\n'),
    );
    const hosts = importAnsible(f, { home: '/home/x' });
    const by = Object.fromEntries(hosts.map((h) => [h.name, h]));
    expect(hosts.map((h) => h.name)).toEqual(['standalone', 'fw1', 'fw2', 'fw3', 'fw4']);
    expect(by.standalone).toEqual({ name: 'standalone', address: '198.19.5.5', port: 22, user: 'root', identityFiles: [], tags: [] });
    // host var beats group var; child group var beats parent group var
    expect(by.fw1).toMatchObject({ address: '198.19.0.1', port: 2222, user: 'admin', tags: ['firewalls', 'edge'], jump: 'jump@198.19.9.1' });
    expect(by.fw2).toMatchObject({ user: 'ops', port: 22 });
    expect(by.fw3).toMatchObject({ address: 'fw3', identityFiles: ['/home/x/.ssh/core'], tags: ['firewalls', 'core'], user: 'admin' });
  });

  it('expands ranges with padding and letters', () => {
    expect(expandHostRange('web[08:10].lab')).toEqual(['web08.lab', 'web09.lab', 'web10.lab']);
    expect(expandHostRange('db[a:c]')).toEqual(['dba', 'dbb', 'dbc']);
    expect(expandHostRange('plain')).toEqual(['plain']);
  });

  it('names the line when a vars entry is not key=value', () => {
    const f = join(dir, 'bad.ini');
    writeFileSync(f, '[g:vars]\nnot a pair\n');
    expect(() => importAnsible(f)).toThrow(/line 2.*not key=value/);
  });
});

describe('importAnsible YAML', () => {
  it('reads all/children/hosts/vars', () => {
    const f = join(dir, 'hosts.yml');
    writeFileSync(
      f,
      [
        'all:',
        '  vars:',
        '    ansible_user: admin',
        '  hosts:',
        '    lone:',
        '  children:',
        '    carp:',
        '      vars:',
        '        ansible_port: 2200',
        '      hosts:',
        '        fw1:',
        '          ansible_host: 198.19.0.1',
        '        fw2:',
        '          ansible_host: 198.19.0.2',
        '          ansible_port: 22',
        '      children:',
        '        dmz:',
        '          hosts:',
        '            fw3:',
        '              ansible_ssh_private_key_file: /keys/fw3',
      ].join('\n'),
    );
    const hosts = importAnsible(f);
    const by = Object.fromEntries(hosts.map((h) => [h.name, h]));
    expect(hosts.map((h) => h.name)).toEqual(['lone', 'fw1', 'fw2', 'fw3']);
    expect(by.lone).toEqual({ name: 'lone', address: 'lone', port: 22, user: 'admin', identityFiles: [], tags: [] });
    expect(by.fw1).toMatchObject({ address: '198.19.0.1', port: 2200, user: 'admin', tags: ['carp'] });
    expect(by.fw2.port).toBe(22);
    expect(by.fw3).toMatchObject({ port: 2200, identityFiles: ['/keys/fw3'], tags: ['carp', 'dmz'] });
  });
});
