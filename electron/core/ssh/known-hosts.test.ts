// known_hosts matching and fingerprints, cross-checked against OpenSSH's own ssh-keygen
// (it hashes entries with -H and prints fingerprints with -lf).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkHostKey,
  checkHostKeyIn,
  entryMatches,
  fingerprint,
  keyTypeOfBlob,
  knownKeyTypes,
  matchHostList,
  parseKnownHosts,
  trustHostKey,
} from './known-hosts.js';

let dir: string;
const keys: { type: string; b64: string; blob: Buffer; pubFile: string }[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'khtest-'));
  for (const [i, t] of ['ed25519', 'ed25519', 'ecdsa'].entries()) {
    const f = join(dir, `k${i}`);
    execFileSync('ssh-keygen', ['-q', '-t', t, '-N', '', '-f', f]);
    const [type, b64] = readFileSync(f + '.pub', 'utf8').trim().split(/\s+/);
    keys.push({ type, b64, blob: Buffer.from(b64, 'base64'), pubFile: f + '.pub' });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fingerprint', () => {
  it('matches ssh-keygen -lf exactly', () => {
    for (const k of keys) {
      const out = execFileSync('ssh-keygen', ['-lf', k.pubFile], { encoding: 'utf8' });
      expect(out.split(/\s+/)[1]).toBe(fingerprint(k.blob));
      expect(fingerprint(k.blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    }
  });
  it('reads the key type from the blob', () => {
    expect(keyTypeOfBlob(keys[0].blob)).toBe('ssh-ed25519');
    expect(keyTypeOfBlob(keys[2].blob)).toBe('ecdsa-sha2-nistp256');
    expect(() => keyTypeOfBlob(Buffer.from([0, 0]))).toThrow(/not an SSH public key/);
  });
});

describe('host patterns', () => {
  it('comma lists, wildcards, negation', () => {
    expect(matchHostList('fw1.example', 'fw2.example,fw1.example')).toBe(true);
    expect(matchHostList('fw1.example', '*.example')).toBe(true);
    expect(matchHostList('fw1.example', '*.example,!fw1.example')).toBe(false);
    expect(matchHostList('fw10', 'fw?')).toBe(false);
    expect(matchHostList('fw1', 'fw?')).toBe(true);
    expect(matchHostList('FW1', 'fw1')).toBe(true);
    expect(matchHostList('[198.19.0.1]:2222', '[198.19.0.*]:2222')).toBe(true);
    expect(matchHostList('198.19.0.1', '!198.19.0.1')).toBe(false);
  });
});

describe('checkHostKey', () => {
  it('plain entries, ports and key changes', () => {
    const [a, b, c] = keys;
    const text = [
      '# comment',
      '',
      `198.19.0.1,fw1 ${a.type} ${a.b64} root@fw1`,
      `[198.19.0.2]:2222 ${b.type} ${b.b64}`,
      `@cert-authority *.example ${c.type} ${c.b64}`,
      'garbage line',
    ].join('\n');
    const e = parseKnownHosts(text, 'kh');
    expect(e.length).toBe(3);
    expect(checkHostKeyIn(e, '198.19.0.1', 22, a.type, a.blob)).toEqual({ status: 'known', file: 'kh', line: 3 });
    expect(checkHostKeyIn(e, 'fw1', 22, a.type, a.blob)).toEqual({ status: 'known', file: 'kh', line: 3 });
    // same host, other port: the entry for port 22 does not apply
    expect(checkHostKeyIn(e, '198.19.0.1', 2222, a.type, a.blob)).toEqual({ status: 'unknown', fingerprint: fingerprint(a.blob) });
    expect(checkHostKeyIn(e, '198.19.0.2', 2222, b.type, b.blob)).toEqual({ status: 'known', file: 'kh', line: 4 });
    expect(checkHostKeyIn(e, '198.19.0.2', 22, b.type, b.blob).status).toBe('unknown');
    // same type, other key: changed, with file and line
    expect(checkHostKeyIn(e, '198.19.0.1', 22, b.type, b.blob)).toEqual({
      status: 'changed',
      fingerprint: fingerprint(b.blob),
      file: 'kh',
      line: 3,
    });
    // a type we have no entry for, while another type is on file: refused as other-type-known (not
    // first contact), naming the known type and where it is; cert-authority lines are not host keys
    expect(checkHostKeyIn(e, '198.19.0.1', 22, c.type, c.blob)).toEqual({
      status: 'other-type-known',
      fingerprint: fingerprint(c.blob),
      knownTypes: ['ssh-ed25519'],
      file: 'kh',
      line: 3,
    });
    expect(checkHostKeyIn(e, 'x.example', 22, c.type, c.blob).status).toBe('unknown');
    expect(knownKeyTypes(e, 'fw1', 22)).toEqual(['ssh-ed25519']);
  });

  it('hashed entries written by ssh-keygen -H, including [host]:port', () => {
    const [a, b] = keys;
    const f = join(dir, 'hashed');
    writeFileSync(f, `fw1.lab ${a.type} ${a.b64}\n[198.19.0.9]:2200 ${b.type} ${b.b64}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', f], { stdio: 'ignore' });
    const text = readFileSync(f, 'utf8');
    expect(text).not.toContain('fw1.lab'); // really hashed
    expect(text.match(/^\|1\|/gm)?.length).toBe(2);
    expect(checkHostKey([f], 'fw1.lab', 22, a.type, a.blob)).toEqual({ status: 'known', file: f, line: 1 });
    expect(checkHostKey([f], 'fw2.lab', 22, a.type, a.blob).status).toBe('unknown');
    expect(checkHostKey([f], '198.19.0.9', 2200, b.type, b.blob)).toEqual({ status: 'known', file: f, line: 2 });
    expect(checkHostKey([f], '198.19.0.9', 22, b.type, b.blob).status).toBe('unknown');
    const changed = checkHostKey([f], 'fw1.lab', 22, b.type, b.blob);
    expect(changed).toMatchObject({ status: 'changed', file: f, line: 1 });
    // hashed entries count for other-type-known too
    expect(checkHostKey([f], 'fw1.lab', 22, keys[2].type, keys[2].blob)).toMatchObject({ status: 'other-type-known', knownTypes: ['ssh-ed25519'], file: f, line: 1 });
    // ssh-keygen -F finds the same entry we do
    const out = execFileSync('ssh-keygen', ['-F', '[198.19.0.9]:2200', '-f', f], { encoding: 'utf8' });
    const hashedHost = out.split('\n').find((l) => l.startsWith('|1|'))!.split(' ')[0];
    expect(entryMatches(hashedHost, '[198.19.0.9]:2200')).toBe(true);
    expect(entryMatches(hashedHost, '198.19.0.9')).toBe(false);
  });

  it('@revoked keys are refused even when listed as known', () => {
    const [a] = keys;
    const e = parseKnownHosts(`fw1 ${a.type} ${a.b64}\n@revoked * ${a.type} ${a.b64}\n`, 'kh');
    expect(checkHostKeyIn(e, 'fw1', 22, a.type, a.blob)).toMatchObject({ status: 'revoked', line: 2 });
  });

  it('missing files count as empty; trustHostKey appends a line ssh accepts', () => {
    const [a] = keys;
    const f = join(dir, 'sub', 'console_known_hosts');
    expect(checkHostKey([join(dir, 'nope'), f], '198.19.0.5', 2222, a.type, a.blob).status).toBe('unknown');
    trustHostKey(f, '198.19.0.5', 2222, { keyBlob: a.blob });
    expect(readFileSync(f, 'utf8')).toBe(`[198.19.0.5]:2222 ssh-ed25519 ${a.b64}\n`);
    expect(checkHostKey([f], '198.19.0.5', 2222, a.type, a.blob)).toEqual({ status: 'known', file: f, line: 1 });
    const out = execFileSync('ssh-keygen', ['-F', '[198.19.0.5]:2222', '-f', f], { encoding: 'utf8' });
    expect(out).toContain(a.b64);
  });

  it('an ecdsa key where only ed25519 is on file, across two files, is other-type-known with both types listed', () => {
    const [a, , c] = keys;
    const f1 = join(dir, 'two1');
    const f2 = join(dir, 'two2');
    writeFileSync(f1, `# first\n[198.19.0.7]:2222 ${a.type} ${a.b64}\n`);
    writeFileSync(f2, `[198.19.0.7]:2222 ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7\n`);
    const r = checkHostKey([f1, f2], '198.19.0.7', 2222, c.type, c.blob);
    expect(r).toEqual({ status: 'other-type-known', fingerprint: fingerprint(c.blob), knownTypes: ['ssh-ed25519', 'ssh-rsa'], file: f1, line: 2 });
    // another host with no entry at all is still first contact
    expect(checkHostKey([f1, f2], '198.19.0.8', 2222, c.type, c.blob).status).toBe('unknown');
  });

  it('trustHostKey starts a new line when the file lacks its final newline', () => {
    const [a, b] = keys;
    const f = join(dir, 'no_final_newline');
    writeFileSync(f, `198.19.0.3 ${a.type} ${a.b64}`); // no trailing newline, as an editor may leave it
    trustHostKey(f, '198.19.0.4', 22, { keyBlob: b.blob });
    expect(readFileSync(f, 'utf8')).toBe(`198.19.0.3 ${a.type} ${a.b64}\n198.19.0.4 ${b.type} ${b.b64}\n`);
    expect(checkHostKey([f], '198.19.0.3', 22, a.type, a.blob)).toEqual({ status: 'known', file: f, line: 1 });
    expect(checkHostKey([f], '198.19.0.4', 22, b.type, b.blob)).toEqual({ status: 'known', file: f, line: 2 });
    // an empty file gets no blank first line
    const g = join(dir, 'empty_kh');
    writeFileSync(g, '');
    trustHostKey(g, '198.19.0.4', 22, { keyBlob: b.blob });
    expect(readFileSync(g, 'utf8')).toBe(`198.19.0.4 ${b.type} ${b.b64}\n`);
  });
});
