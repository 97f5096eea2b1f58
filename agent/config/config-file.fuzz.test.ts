// Fuzz of the agent's config file reader (loadConfigFile, what the agent runs on start and SIGHUP) and
// of state.json (loadState): hostile files are refused with ConfigError naming the file (or, for state,
// the fail-safe with a reason), never another throw; valid ones load; a huge file is refused unread.
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fuzz, fuzzTempDir } from '../testing/fuzz.js';
import { ConfigError } from './schema.js';
import { MAX_CONFIG_BYTES, loadConfigFile, type LoadedConfig } from './store.js';
import { loadState } from './state-store.js';

const dir = fuzzTempDir('carp-cfg-fuzz-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'config.json');

const GROUP = { vhid: 7, interface: 'eth0', addresses: ['198.18.0.100/24'], password: 'secret', advskew: 50, preempt: true, srcip: '198.18.0.1', upscript: '/usr/local/sbin/up.sh' };
const VALID = [{ groups: [] }, { groups: [GROUP] }, { groups: [GROUP, { ...GROUP, vhid: 8, addresses: ['198.18.0.101'] }] }].map((c) => JSON.stringify(c, null, 2));

describe('agent config file (fuzz)', () => {
  it('refuses hostile files with ConfigError naming the file, and loads the valid ones', async () => {
    const stats = await fuzz<LoadedConfig>({
      seed: 0xcf6,
      valid: VALID,
      count: 2000, // each case writes a file
      maxBytes: MAX_CONFIG_BYTES,
      parse: (text) => {
        writeFileSync(file, text);
        return loadConfigFile(file);
      },
      refusal: (o) => 'threw' in o && o.threw instanceof ConfigError && o.threw.message.startsWith(`${file}: invalid configuration:`),
    });
    expect(stats.refused).toBeGreaterThan(1000);
    expect(stats.accepted).toBeGreaterThanOrEqual(VALID.length);
  });

  it('refuses a config larger than the limit before reading it', () => {
    writeFileSync(file, VALID[0] + ' '.repeat(MAX_CONFIG_BYTES));
    expect(() => loadConfigFile(file)).toThrow(/is \d+ bytes, more than the 1 MiB a config file may have/);
  });

  it('reads any state.json as a state or the fail-safe with a reason, never a throw', async () => {
    const state = join(dir, 'state.json');
    const stats = await fuzz<ReturnType<typeof loadState>>({
      seed: 0x57a,
      valid: ['{"demote":0,"maintenance":false}', '{"demote":20,"maintenance":true}'],
      count: 1000,
      maxBytes: 64 * 1024,
      parse: (text) => {
        writeFileSync(state, text);
        return loadState(state);
      },
      refusal: (o) => 'value' in o && o.value.problem !== undefined && o.value.state.maintenance && o.value.problem.startsWith(state),
    });
    expect(stats.refused).toBeGreaterThan(500);
  });
});
