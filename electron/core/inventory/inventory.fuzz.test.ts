// Fuzz of the inventory boundary (loadInventory on a file, as `carpctl --inventory`, `carpctl import` and
// a pasted import read it: the console's JSON, the lab's JSON, ssh_config, Ansible INI and YAML):
// hostile files throw only InventoryError or ValidationError, never hang; valid ones load; oversize is refused unread.
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fuzz, fuzzTempDir, type Rng } from '../../../agent/testing/fuzz.js';
import { ValidationError } from '../../../agent/config/schema.js';
import { InventoryError, MAX_INVENTORY_FILE_BYTES } from './errors.js';
import { loadInventory } from './load.js';
import { expandHostRange } from './ansible.js';
import type { Inventory } from './schema.js';

const dir = fuzzTempDir('carp-inv-fuzz-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VALID = [
  JSON.stringify({ hosts: [{ name: 'fw1', address: '198.18.0.1', port: 22, user: 'root', identityFiles: ['/k'], tags: ['a'] }] }),
  JSON.stringify({ hosts: [{ name: 'fw1', address: '10.0.0.1', identityFile: '/lab/key' }], knownHostsFile: '/lab/known_hosts', stateDir: '/x' }),
  'Host fw1 fw2\n  HostName 198.18.0.1\n  User admin\n  Port 2222\n  IdentityFile ~/.ssh/id_ed25519\n  ProxyJump bastion\nHost *\n  User root\n',
  '[firewalls]\nfw[1:3] ansible_user=root\n\n[firewalls:vars]\nansible_port=22\n\n[edge:children]\nfirewalls\n',
  'all:\n  children:\n    firewalls:\n      hosts:\n        fw1:\n          ansible_host: 198.18.0.1\n        fw2: {}\n      vars:\n        ansible_user: root\n',
];
const TRICKS = ['[g]\nweb[0:99999999]\n', '[g]\nw[a:z:0]\n', '[g]\nw[1:9][1:9][1:9][1:9][1:9]\n', '[g:vars]\nnot a pair\n', 'Host a\n  Port 99999\n',
  'Host a\n  Include ' + join(dir, '*') + '\n', 'all:\n  children: &x\n    g:\n      children: *x\n', 'a:\n  hosts:\n    "[": {}\n', '{"hosts":[{"name":"a","__proto__":{"polluted":1}}]}',
  '[\n'.repeat(5000), ' \n'.repeat(50_000) + 'Host', 'all:\n  hosts:\n    ' + 'h: {}\n    '.repeat(10), '[g]\nh ansible_port=0x16\n'];

let n = 0;
function load(text: string): Inventory {
  const f = join(dir, `inv-${n++ % 8}`); // no .yaml/.ssh names: the content decides the format
  writeFileSync(f, text);
  return loadInventory(f);
}

describe('inventory files (fuzz)', () => {
  it('throws only InventoryError or ValidationError for hostile files and loads the valid ones', async () => {
    const stats = await fuzz<Inventory>({
      seed: 0x1a7e,
      valid: VALID,
      count: 1500, // each case writes a file (the importers read files: Includes are relative to them)
      maxBytes: MAX_INVENTORY_FILE_BYTES,
      extra: (rng: Rng) => rng.pick(TRICKS),
      parse: load,
      refusal: (o) => 'threw' in o && (o.threw instanceof InventoryError || o.threw instanceof ValidationError) && o.threw.message.length > 10,
    });
    expect(stats.refused).toBeGreaterThan(600);
    expect(stats.accepted).toBeGreaterThan(VALID.length);
  });

  it('bounds Ansible host ranges and refuses a step of 0 instead of looping', () => {
    expect(expandHostRange('fw[01:03]')).toEqual(['fw01', 'fw02', 'fw03']);
    expect(() => expandHostRange('w[a:z:0]')).toThrow(/the step must be 1 or more/);
    expect(() => expandHostRange('w[0:99999999]')).toThrow(/more than 4096 hosts/);
    expect(() => expandHostRange('w[0:99][0:99]')).toThrow(InventoryError);
  });

  it('refuses a file over the limit, and a device, before reading it', () => {
    const f = join(dir, 'big');
    writeFileSync(f, 'Host a\n' + '#'.repeat(MAX_INVENTORY_FILE_BYTES));
    expect(() => loadInventory(f)).toThrow(/big is \d+ bytes, more than the 1 MiB an inventory file may have/);
    expect(() => loadInventory('/dev/zero')).toThrow(/is not a regular file/);
  });
});
