// Unit tests of carpctl's argument parsing: values, flags, and options it does not take.
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from './args.js';

describe('parseArgs', () => {
  it('reads words, flags and value options', () => {
    const a = parseArgs(['--inventory=inv.json', 'group', 'delete', '42', '--segment', '198.18.0.0/24', '--dry-run', '--json']);
    expect(a).toMatchObject({ inventory: 'inv.json', json: true, words: ['group', 'delete', '42'] });
    expect(a.options.get('--segment')).toBe('198.18.0.0/24');
    expect(a.flags.has('--dry-run')).toBe(true);
  });

  it('refuses --timeout (it was accepted and ignored before) like any unknown option', () => {
    expect(() => parseArgs(['maintenance', 'enter', 'fw1', '--timeout', '30'])).toThrow(UsageError);
    expect(() => parseArgs(['--timeout=30', 'status'])).toThrow('unknown option --timeout=30');
  });
});
