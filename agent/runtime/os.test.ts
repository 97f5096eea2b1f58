// The agent's description of its system: os-release parsing.
import { describe, expect, it } from 'vitest';
import { osDescription, prettyName } from './os.js';

describe('os description', () => {
  it('reads PRETTY_NAME, else NAME and VERSION_ID, from os-release text', () => {
    expect(prettyName('NAME="Debian GNU/Linux"\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(prettyName("NAME='Alpine Linux'\nVERSION_ID=3.20.0\n")).toBe('Alpine Linux 3.20.0');
    expect(prettyName('garbage\n')).toBeUndefined();
  });
  it('names the kernel and fits the snapshot field', () => {
    const d = osDescription();
    expect(d).toMatch(/Linux \d/);
    expect(d.length).toBeLessThanOrEqual(200);
  });
});
