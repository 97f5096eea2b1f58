// JSON error location: the offsets match V8's where V8 gives one, and the message never quotes the file.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { jsonErrorOffset, describeJsonError } from './json-error.js';
import { loadConfigFile } from './store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ar-json-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('json error location', () => {
  it('finds the same offset as V8 reports, and null for valid JSON', () => {
    for (const bad of ['{"a":1,}', '{"password":"abc', '{"a" 1}', '{"a":01}', '[1,2', ' {} x']) {
      let v8: number | undefined;
      try {
        JSON.parse(bad);
      } catch (e) {
        v8 = Number(/position (\d+)/.exec((e as Error).message)?.[1] ?? NaN);
      }
      expect(v8).toBeDefined();
      if (!Number.isNaN(v8)) expect(jsonErrorOffset(bad)).toBe(v8);
      else expect(jsonErrorOffset(bad)).not.toBeNull();
    }
    expect(jsonErrorOffset('{"a":[1,-2.5e3,{"b":null}],"c":"\\u00e9\\n","d":true}')).toBeNull();
  });

  it('gives line and column', () => {
    expect(describeJsonError('{\n  "a": 1,\n  "b": }\n')).toBe('line 3, column 8');
    expect(describeJsonError('{"a": "x')).toBe('line 1, column 9 (the file ends too early)');
  });

  it('a broken config file is reported by line, never quoting its content (passwords)', () => {
    const p = join(dir, 'config.json');
    writeFileSync(p, '{"groups": [{"vhid": 1, "password": "hunter2secret"}}]}\n');
    let msg = '';
    try {
      loadConfigFile(p);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/not valid JSON at line 1, column 53/);
    expect(msg).toContain(p);
    expect(msg).not.toContain('hunter2');
    writeFileSync(p, '{"groups": [], "password": hunter2}');
    expect(() => loadConfigFile(p)).toThrow(/line 1, column 28/);
    try { loadConfigFile(p); } catch (e) { expect((e as Error).message).not.toContain('hunter2'); }
  });
});
