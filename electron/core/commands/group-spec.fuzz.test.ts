// Fuzz of the group-file parser (parseGroupSpecText, what `carpctl group apply FILE` reads, JSON or YAML):
// hostile files throw only SpecError naming the problem; valid ones pass; an oversize file is refused unread.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzz, type Rng } from '../../../agent/testing/fuzz.js';
import { MAX_GROUP_FILE_BYTES, SpecError, parseGroupSpecText, type GroupSpec } from './group-spec.js';
import { readGroupSpecFile } from './group-file.js';

const SPEC = {
  vhid: 42, name: 'lan', interface: 'eth0', addresses: ['198.18.0.100/24'], password: 'change-me', advbase: 1, preempt: true,
  members: [{ host: 'fw1', advskew: 0 }, { host: 'fw2', advskew: 100, interface: 'eth1', srcip: '198.18.0.2' }],
};
const YAML = `vhid: 42\ninterface: eth0\naddresses: [198.18.0.100/24]\npassword: lab-secret\nmembers:\n  - {host: fw1, advskew: 0, preempt: true}\n  - host: fw2\n    advskew: 100\n`;
const YAML_TRICKS = ['a: &x [*x]\n', 'a: &a [1]\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c]\n', '__proto__: {polluted: 1}\nvhid: 1\n', '? [a]\n: b\n', 'vhid: !!binary aGk=\n', '%YAML 1.1\n---\nvhid: 0x2a\n', '- - - - -\n', 'vhid: 1\nvhid: 2\n'];

describe('group file parser (fuzz)', () => {
  it('throws only SpecError for hostile files and accepts the valid ones', async () => {
    const stats = await fuzz<GroupSpec>({
      seed: 0x6f1e,
      valid: [JSON.stringify(SPEC), YAML],
      count: 1500,
      maxBytes: MAX_GROUP_FILE_BYTES,
      extra: (rng: Rng) => rng.pick(YAML_TRICKS),
      parse: (text) => parseGroupSpecText(text, 'g.yaml'),
      refusal: (o) => 'threw' in o && o.threw instanceof SpecError && o.threw.problems.length > 0 && o.threw.message.startsWith('g.yaml: invalid group'),
    });
    expect(stats.refused).toBeGreaterThan(600);
    expect(stats.accepted).toBeGreaterThan(2);
  });

  it('refuses a file over the limit before reading it, naming the file and the limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'carp-gf-'));
    try {
      const f = join(dir, 'huge.yaml');
      writeFileSync(f, YAML + '#'.repeat(MAX_GROUP_FILE_BYTES));
      expect(() => readGroupSpecFile(f)).toThrow(SpecError);
      expect(() => readGroupSpecFile(f)).toThrow(/huge\.yaml is \d+ bytes, more than the 256 KiB a group file may have/);
      expect(() => readGroupSpecFile(dir)).toThrow(/is not a regular file/);
      writeFileSync(f, YAML);
      expect(readGroupSpecFile(f).vhid).toBe(42);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
