// Unit tests of host status display: UNKNOWN for stale (grey, "?", with the age), errors for unreachable.
import { describe, expect, it } from 'vitest';
import { hostStatusDisplay } from './host-status.js';

describe('hostStatusDisplay', () => {
  it('live', () => {
    expect(hostStatusDisplay('live', 1000, 2000)).toMatchObject({ label: 'live', symbol: '✓', tone: 'ok' });
  });
  it('stale is UNKNOWN, grey, with its age and never green', () => {
    const d = hostStatusDisplay('stale', 100_000, 112_000);
    expect(d).toMatchObject({ label: 'UNKNOWN', symbol: '?', tone: 'unknown', detail: 'last heard 12 s ago' });
  });
  it('unreachable carries the error', () => {
    expect(hostStatusDisplay('unreachable', 0, 5000, 'connect ECONNREFUSED 198.18.1.2:22')).toMatchObject({
      label: 'unreachable',
      symbol: '✕',
      tone: 'bad',
      detail: 'connect ECONNREFUSED 198.18.1.2:22',
    });
  });
  it('no-agent says what to do without an error', () => {
    const d = hostStatusDisplay('no-agent', 0, 5000);
    expect(d.label).toBe('no agent');
    expect(d.detail).toMatch(/deploy/);
  });
  it('each status has its own symbol', () => {
    const syms = (['live', 'stale', 'unreachable', 'no-agent'] as const).map((s) => hostStatusDisplay(s, 0, 0).symbol);
    expect(new Set(syms).size).toBe(4);
  });
});

