// Config store: atomic write, .prev kept, files 0600 and folders 0700 whatever the umask, broken files
// refused naming field and reason.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadConfigFile, saveConfigFile } from './store.js';
import { loadState, saveState, statePathFor } from './state-store.js';
import { ConfigError, parseAgentConfig } from './schema.js';

const group = (vhid: number, advskew = 0) => ({ vhid, interface: 'eth0', addresses: ['198.18.0.100/24'], password: 'pw', advskew });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ar-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('config store', () => {
  it('a missing file means no groups', () => {
    const r = loadConfigFile(join(dir, 'config.json'));
    expect(r.missing).toBe(true);
    expect(r.config.groups).toEqual([]);
  });

  it('writes atomically with mode 0600, no temp file left, and keeps the previous good copy as .prev', () => {
    const p = join(dir, 'config.json');
    saveConfigFile(p, parseAgentConfig({ groups: [group(1)] }));
    expect(existsSync(p + '.prev')).toBe(false);
    expect(statSync(p).mode & 0o777).toBe(0o600);
    saveConfigFile(p, parseAgentConfig({ groups: [group(1, 50)] }));
    expect(loadConfigFile(p).config.groups[0].advskew).toBe(50);
    expect(JSON.parse(readFileSync(p + '.prev', 'utf8')).groups[0].advskew).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'config.json.prev']);
  });

  it('does not overwrite .prev with a broken current file', () => {
    const p = join(dir, 'config.json');
    saveConfigFile(p, parseAgentConfig({ groups: [group(1)] }));
    saveConfigFile(p, parseAgentConfig({ groups: [group(2)] }));
    writeFileSync(p, '{ broken');
    saveConfigFile(p, parseAgentConfig({ groups: [group(3)] }));
    expect(JSON.parse(readFileSync(p + '.prev', 'utf8')).groups[0].vhid).toBe(1);
    expect(loadConfigFile(p).config.groups[0].vhid).toBe(3);
  });

  it('refuses a broken file naming the field and the reason', () => {
    const p = join(dir, 'config.json');
    writeFileSync(p, JSON.stringify({ groups: [{ ...group(1), advskew: 300, password: 'x'.repeat(20) }] }));
    let err: unknown;
    try {
      loadConfigFile(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain(p);
    expect(msg).toContain('groups[0].advskew: must be 0..254');
    expect(msg).toMatch(/groups\[0\]\.password: is longer than 19 bytes/);
    expect(msg).not.toContain('x'.repeat(20));
  });

  it('refuses a file with one bad group as a whole (never a partial config) and points at the previous good copy', () => {
    const p = join(dir, 'config.json');
    saveConfigFile(p, parseAgentConfig({ groups: [group(1)] }));
    saveConfigFile(p, parseAgentConfig({ groups: [group(1, 50)] }));
    writeFileSync(p, JSON.stringify({ groups: [{ ...group(1), addresses: ['198.18.0.101/24'] }, { ...group(2), advskew: 255 }] }));
    let msg = '';
    try {
      loadConfigFile(p);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      msg = (e as Error).message;
    }
    expect(msg).toContain(`${p}: invalid configuration`);
    expect(msg).toContain('groups[1].advskew: must be 0..254');
    expect(msg).toMatch(new RegExp(`the config before the last change \\(1 group, saved [0-9T:.-]+Z\\) is kept in ${p}\\.prev`));
    expect(msg).not.toContain('groups[0]');
  });

  it('says a truncated (empty) file is empty, and a cut one where it ends', () => {
    const p = join(dir, 'config.json');
    writeFileSync(p, '');
    expect(() => loadConfigFile(p)).toThrow(/\(file\): is empty \(truncated\?\)/);
    writeFileSync(p, JSON.stringify({ groups: [group(1)] }, null, 2).slice(0, 40));
    expect(() => loadConfigFile(p)).toThrow(/not valid JSON at line \d+, column \d+ \(the file ends too early\)/);
    expect(() => loadConfigFile(p)).not.toThrow(/config before the last change/); // no .prev here
  });

  it('refuses invalid JSON with a clear message', () => {
    const p = join(dir, 'config.json');
    writeFileSync(p, '{"groups": [');
    expect(() => loadConfigFile(p)).toThrow(/not valid JSON/);
  });
});

describe('state store', () => {
  it('persists maintenance and demotion beside the config', () => {
    const sp = statePathFor(join(dir, 'config.json'));
    expect(sp).toBe(join(dir, 'state.json'));
    expect(loadState(sp).state).toEqual({ demote: 0, maintenance: false });
    saveState(sp, { demote: 7, maintenance: true });
    expect(loadState(sp).state).toEqual({ demote: 7, maintenance: true });
  });

  it('creates config, .prev, state and their folders private (0600 / 0700) under umask 0, and makes a 0644 file 0600', () => {
    const old = process.umask(0);
    try {
      const etc = join(dir, 'etc', 'carp-agent');
      const p = join(etc, 'config.json');
      saveConfigFile(p, parseAgentConfig({ groups: [group(1)] }));
      saveConfigFile(p, parseAgentConfig({ groups: [group(1, 50)] }));
      saveState(statePathFor(p), { demote: 1, maintenance: false });
      for (const f of [p, p + '.prev', statePathFor(p)]) expect([f, statSync(f).mode & 0o777]).toEqual([f, 0o600]);
      for (const d of [join(dir, 'etc'), etc]) expect([d, statSync(d).mode & 0o777]).toEqual([d, 0o700]);
      expect(readdirSync(etc).sort()).toEqual(['config.json', 'config.json.prev', 'state.json']); // no temp file left
      // a config written by hand, world-readable: the next save leaves it 0600 (and its .prev too)
      writeFileSync(p, readFileSync(p, 'utf8'), { mode: 0o644 });
      chmodSync(p, 0o644);
      saveConfigFile(p, parseAgentConfig({ groups: [group(1, 60)] }));
      expect(statSync(p).mode & 0o777).toBe(0o600);
      expect(statSync(p + '.prev').mode & 0o777).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it('a corrupt state file means maintenance on (fail-safe: it may have been on) and says why', () => {
    const sp = join(dir, 'state.json');
    for (const [text, why] of [['{"demote": 999}', /is invalid \(demote: /], ['', /is empty/], ['{"maintenance": tr', /is not valid JSON/]] as const) {
      writeFileSync(sp, text);
      const r = loadState(sp);
      expect(r.state).toEqual({ demote: 0, maintenance: true });
      expect(r.problem).toContain(sp);
      expect(r.problem).toMatch(why);
      expect(r.problem).toContain('starting in maintenance');
    }
    rmSync(sp);
    expect(loadState(sp)).toEqual({ state: { demote: 0, maintenance: false } }); // missing: a fresh host
  });
});
