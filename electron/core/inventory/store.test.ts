// Inventory store and loadInventory: atomic writes, validation, format detection, lab JSON.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configDir, defaultInventoryPath, readInventory, writeInventory } from './store.js';
import { importLabJson } from './lab-json.js';
import { detectInventoryFormat, loadInventory } from './load.js';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'invtest-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lab = {
  hosts: [
    { name: 'fw1', address: '198.19.30.11', port: 22, user: 'root', identityFile: '/tmp/lab/id' },
    { name: 'fw2', address: '198.19.30.12', port: 22, user: 'root', identityFile: '/tmp/lab/id' },
  ],
  knownHostsFile: '/tmp/lab/known_hosts',
  sshConfigFile: '/tmp/lab/ssh_config',
  lan: { cidr: '198.18.30.0/24', bridge: 'br' },
  client: { ns: 'x' },
  stateDir: '/tmp/lab',
};

describe('store', () => {
  it('uses XDG_CONFIG_HOME, else ~/.config', () => {
    expect(defaultInventoryPath({ XDG_CONFIG_HOME: '/x/cfg' })).toBe('/x/cfg/carp-console/inventory.json');
    expect(configDir({})).toMatch(/\/\.config\/carp-console$/);
  });

  it('missing file is an empty inventory; writes atomically and reads back', () => {
    const p = join(dir, 'a', 'inventory.json');
    expect(readInventory(p)).toEqual({ hosts: [] });
    writeInventory({ hosts: [{ name: 'fw1', address: '198.19.0.1', port: 22, user: 'root', identityFiles: [], tags: ['x'] }] }, p);
    expect(readInventory(p).hosts[0].name).toBe('fw1');
    expect(statSync(p).mode & 0o777).toBe(0o600);
    // a second write replaces the file whole and leaves no temp file behind
    writeInventory({ hosts: [] }, p);
    expect(JSON.parse(readFileSync(p, 'utf8'))).toEqual({ hosts: [] });
    expect(readdirSync(join(dir, 'a'))).toEqual(['inventory.json']);
  });

  it('a failed validation leaves the old file untouched', () => {
    const p = join(dir, 'b.json');
    writeInventory({ hosts: [{ name: 'fw1', address: 'a', port: 22, user: 'root', identityFiles: [], tags: [] }] }, p);
    const before = readFileSync(p, 'utf8');
    const dup = { name: 'fw1', address: 'b', port: 22, user: 'root', identityFiles: [], tags: [] };
    expect(() => writeInventory({ hosts: [dup, dup] }, p)).toThrow(/hosts\[1\]\.name: "fw1" is already used by hosts\[0\]/);
    expect(readFileSync(p, 'utf8')).toBe(before);
  });

  it('refuses broken files with a message naming the file and the field', () => {
    const p = join(dir, 'c.json');
    writeFileSync(p, '{"hosts":[{"name":"x","address":"y","port":70000}]}');
    expect(() => readInventory(p)).toThrow(/c\.json.*\n.*hosts\[0\]\.port: must be 1\.\.65535/);
    writeFileSync(p, '{not json');
    expect(() => readInventory(p)).toThrow(/not valid JSON/);
  });
});

describe('lab JSON and loadInventory', () => {
  it('imports the lab JSON with its known_hosts', () => {
    const inv = importLabJson(lab);
    expect(inv.knownHostsFiles).toEqual(['/tmp/lab/known_hosts']);
    expect(inv.hosts[1]).toEqual({ name: 'fw2', address: '198.19.30.12', port: 22, user: 'root', identityFiles: ['/tmp/lab/id'], tags: ['lab'] });
    expect(() => importLabJson({ hosts: [{ name: 'x' }] })).toThrow(/lab's JSON/);
  });

  it('runs lab JSON through the inventory schema: duplicate host names are refused', () => {
    const dup = { ...lab, hosts: [lab.hosts[0], { ...lab.hosts[1], name: lab.hosts[0].name }] };
    expect(() => importLabJson(dup)).toThrow(/hosts\[1\]\.name: "fw1" is already used by hosts\[0\]/);
    expect(() => loadInventory(JSON.stringify(dup))).toThrow(/lab's JSON: invalid inventory/);
  });

  it('detects every format', () => {
    const files: Record<string, [string, string]> = {
      'lab.json': [JSON.stringify(lab), 'lab'],
      'inv.json': [JSON.stringify({ hosts: [{ name: 'a', address: 'b' }] }), 'inventory'],
      ssh_config: ['Host fw9\n  HostName 198.19.0.9\n', 'ssh-config'],
      'hosts.yaml': ['all:\n  hosts:\n    fw8:\n      ansible_host: 198.19.0.8\n', 'ansible-yaml'],
      hosts: ['[fw]\nfw7 ansible_host=198.19.0.7\n', 'ansible-ini'],
    };
    mkdirSync(join(dir, 'fmt'), { recursive: true });
    const names: string[] = [];
    for (const [name, [text, fmt]] of Object.entries(files)) {
      const p = join(dir, 'fmt', name);
      writeFileSync(p, text);
      expect(detectInventoryFormat(text, p)).toBe(fmt);
      names.push(...loadInventory(p).hosts.map((h) => h.name));
    }
    expect(names).toEqual(['fw1', 'fw2', 'a', 'fw9', 'fw8', 'fw7']);
    // JSON text directly (carpctl --inventory "$(npm run lab -- up --json)")
    expect(loadInventory(JSON.stringify(lab)).knownHostsFiles).toEqual(['/tmp/lab/known_hosts']);
    expect(loadInventory(join(dir, 'fmt', 'inv.json')).hosts[0]).toEqual({ name: 'a', address: 'b', port: 22, user: 'root', identityFiles: [], tags: [] });
    expect(() => detectInventoryFormat('just words', 'x')).toThrow(/cannot tell what x is/);
    expect(existsSync(join(dir, 'fmt', 'lab.json'))).toBe(true);
  });
});
