// carp-agent's sysctl-like commands on the command line: `allow on|off [--persist]` and `set log N`, with
// usage errors that say what is wrong; and their words in `status`.
import { describe, it, expect } from 'vitest';
import { parseArgs, UsageError } from './args.js';
import { describeAllow } from './format.js';

describe('allow and set log', () => {
  it('parses allow on|off with --persist, and set log N', () => {
    expect(parseArgs(['allow', 'off'])).toMatchObject({ cmd: 'allow', on: false, persist: false });
    expect(parseArgs(['allow', 'off', '--persist'])).toMatchObject({ cmd: 'allow', on: false, persist: true });
    expect(parseArgs(['allow', 'on'])).toMatchObject({ cmd: 'allow', on: true });
    expect(parseArgs(['set', 'log', '7'])).toMatchObject({ cmd: 'log', level: 7 });
    expect(parseArgs(['set', 'log', '0', '--socket', '/run/x.sock'])).toMatchObject({ cmd: 'log', level: 0, socket: '/run/x.sock' });
    // set VHID ... still works
    expect(parseArgs(['set', '1', 'advskew', '50'])).toMatchObject({ cmd: 'set', vhid: 1, key: 'advskew', value: 50 });
  });

  it('refuses what is not one of those, saying why', () => {
    expect(() => parseArgs(['allow'])).toThrow(UsageError);
    expect(() => parseArgs(['allow', 'maybe'])).toThrow(/allow on\|off \[--persist\]/);
    expect(() => parseArgs(['set', 'log', '8'])).toThrow(/0\.\.7/);
    expect(() => parseArgs(['set', 'log', 'debug'])).toThrow(/whole number/);
    expect(() => parseArgs(['set', 'log'])).toThrow(/set log N/);
  });

  it('says allow in words', () => {
    expect(describeAllow({ allowed: true, leaving: false, persistedOff: false })).toBe('allow on');
    expect(describeAllow({ allowed: false, leaving: true, persistedOff: false })).toBe('allow: turning OFF (handing over where master)');
    expect(describeAllow({ allowed: false, leaving: false, persistedOff: true })).toBe('allow OFF (CARP stopped; kept across restarts)');
  });
});
