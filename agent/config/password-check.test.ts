// The password check value: scrypt with the documented cost, salted per group (vhid and address set),
// the same whether derived on the thread pool or inline, and never a plain hash of the password.
import { describe, expect, it } from 'vitest';
import { createHash, scryptSync } from 'node:crypto';
import { PASSWORD_CHECK_PARAMS, passwordCheck, passwordCheckSalt, passwordCheckSync } from './password-check.js';

const VIPS = ['198.18.0.100/24'];

describe('password check value', () => {
  it('is scrypt (N >= 2^14, r 8, p 1) of the password with the group salt, 32 hex characters', async () => {
    expect(PASSWORD_CHECK_PARAMS.N).toBeGreaterThanOrEqual(1 << 14);
    expect([PASSWORD_CHECK_PARAMS.r, PASSWORD_CHECK_PARAMS.p, PASSWORD_CHECK_PARAMS.keylen]).toEqual([8, 1, 16]);
    const v = await passwordCheck(42, 'secret', VIPS);
    expect(v).toMatch(/^[0-9a-f]{32}$/);
    const salt = 'carp-console password check v1|42|198.18.0.100/24';
    expect(passwordCheckSalt(42, VIPS)).toBe(salt);
    expect(v).toBe(scryptSync('secret', salt, 16, { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString('hex'));
    // not the old unsalted fingerprint, nor any plain hash of it
    for (const plain of ['42:secret', 'secret', `${salt}secret`]) expect(createHash('sha256').update(plain).digest('hex')).not.toContain(v.slice(0, 16));
    expect(passwordCheckSync(42, 'secret', VIPS)).toBe(v);
  });

  it('is salted: the same password gives another value for another vhid or address set, not for another order', async () => {
    const base = await passwordCheck(42, 'secret', ['198.18.0.100/24', '198.18.0.101/24']);
    expect(await passwordCheck(43, 'secret', ['198.18.0.100/24', '198.18.0.101/24'])).not.toBe(base);
    expect(await passwordCheck(42, 'secret', ['198.18.0.100/24'])).not.toBe(base);
    expect(await passwordCheck(42, 'other', ['198.18.0.100/24', '198.18.0.101/24'])).not.toBe(base);
    expect(await passwordCheck(42, 'secret', ['198.18.0.101/24', '198.18.0.100/24'])).toBe(base);
  });

  it('runs off the event loop: timers keep firing while groups are derived', async () => {
    // 8 derivations inline would hold the loop for over half a second (80 ms each here); on the thread
    // pool the loop stays free. The bound is loose on purpose: it separates those two, not speeds.
    let last = performance.now();
    let worst = 0;
    const t = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 5);
    await Promise.all(Array.from({ length: 8 }, (_, i) => passwordCheck(100 + i, `pw-${i}`, VIPS)));
    clearInterval(t);
    expect(worst).toBeLessThan(400);
  });
});
