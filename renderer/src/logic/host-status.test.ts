// Unit tests of host status display: UNKNOWN for stale (grey, "?", with the age), errors for unreachable.
import { describe, expect, it } from 'vitest';
import { hostStatusDisplay, mentionsChangedHostKey, mentionsUnknownHostKey } from './host-status.js';

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

describe('host key errors', () => {
  it('recognises an unknown host key', () => {
    expect(mentionsUnknownHostKey('host key of fw1 is unknown (SHA256:abc…): confirm it with carpctl trust fw1')).toBe(true);
    expect(mentionsUnknownHostKey('connect ECONNREFUSED')).toBe(false);
    expect(mentionsUnknownHostKey(undefined)).toBe(false);
  });
  it('recognises the core messages (electron/core/ssh/errors.ts)', () => {
    const fp = 'SHA256:' + 'A'.repeat(43);
    expect(mentionsUnknownHostKey(`fw2 (198.18.1.2:22) presented an unknown ssh-ed25519 host key ${fp}; confirm the fingerprint with the host's administrator`)).toBe(true);
    expect(mentionsChangedHostKey(`HOST KEY CHANGED for fw2 (198.18.1.2:22): it now presents ${fp}, which differs from the key in /root/.ssh/known_hosts:3`)).toBe(true);
    expect(mentionsUnknownHostKey(`HOST KEY CHANGED for fw2 (198.18.1.2:22): it now presents ${fp}`)).toBe(false);
    expect(mentionsChangedHostKey(`fw2 (198.18.1.2:22) presented host key ${fp}, which is marked @revoked in /root/.ssh/known_hosts:3; connection refused`)).toBe(true);
    expect(mentionsChangedHostKey(`fw2 (198.18.1.2:22) presented host key ssh-rsa ${fp}, but known_hosts lists only ssh-ed25519 for it; possible man-in-the-middle`)).toBe(true);
    // trustHostKey refuses an unreachable host with code 'refused' too: that is not a changed key.
    expect(mentionsChangedHostKey('fw9 (root@198.18.99.9:22): Connection lost before handshake')).toBe(false);
  });
  it('recognises a changed host key', () => {
    expect(mentionsChangedHostKey('the host key of fw1 has CHANGED')).toBe(true);
  });
});
