// Unit tests of host status display: UNKNOWN for stale (grey, "?", with the age), errors for unreachable.
import { describe, expect, it } from 'vitest';
import { collapseRuns, heardOf, hostStatusDisplay, SHORT_ERROR } from './host-status.js';

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

describe('what a table cell says', () => {
  it('a stale host shows its age, not the error frozen when it went silent', () => {
    expect(hostStatusDisplay('stale', 100_000, 104_000, 'no line from the agent for 2524 ms').detail).toBe('last heard 4 s ago');
  });
  it('a long error is cut to one short line; no agent says what to do', () => {
    const long = `carp-agent attach ended without a snapshot: ${'x'.repeat(300)}\nNode.js v20`;
    const d = hostStatusDisplay('unreachable', 0, 0, long);
    expect(d.detail!.length).toBe(SHORT_ERROR);
    expect(d.detail!.endsWith('…')).toBe(true);
    expect(hostStatusDisplay('no-agent', 0, 0, long).detail).toBe('reachable over SSH, but no carp-agent answers: deploy it');
  });
  it('a live host was heard just now whatever its last report says; others show their age', () => {
    expect(heardOf({ status: 'live', lastSeen: 1_000 }, 60_000)).toBe('just now');
    expect(heardOf({ status: 'stale', lastSeen: 1_000 }, 13_000)).toMatch(/12 s ago/);
  });
  it('drops consecutive repeats of a status', () => {
    expect(collapseRuns(['unreachable', 'unreachable', 'live'])).toEqual(['unreachable', 'live']);
    expect(collapseRuns(['live', 'UNKNOWN', 'live'])).toEqual(['live', 'UNKNOWN', 'live']);
  });
});
