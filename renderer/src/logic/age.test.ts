// Unit tests of age formatting and the console-clock offset.
import { describe, expect, it } from 'vitest';
import { ageOf, clockOffset, consoleNow, formatAge, lastHeard } from './age.js';

describe('formatAge', () => {
  it('says "just now" for the first seconds', () => {
    expect(formatAge(0)).toBe('just now');
    expect(formatAge(2999)).toBe('just now');
  });
  it('counts seconds, minutes, hours, days', () => {
    expect(formatAge(12_000)).toBe('12 s ago');
    expect(formatAge(59_999)).toBe('59 s ago');
    expect(formatAge(3 * 60_000 + 5_000)).toBe('3 min ago');
    expect(formatAge(2 * 3_600_000 + 1)).toBe('2 h ago');
    expect(formatAge(3 * 86_400_000)).toBe('3 d ago');
  });
  it('treats a negative age (clock jitter) as now', () => {
    expect(formatAge(-5000)).toBe('just now');
  });
});

describe('lastHeard / ageOf', () => {
  it('says never for lastSeen 0', () => {
    expect(lastHeard(0, 5000)).toBe('never heard from');
    expect(ageOf(0, 5000)).toBe('never');
  });
  it('measures against the given (console) now', () => {
    expect(lastHeard(100_000, 112_000)).toBe('last heard 12 s ago');
  });
});

describe('console clock', () => {
  it('subtracts the offset taken when the fleet arrived', () => {
    // The browser's clock is 30 s ahead of the console's.
    const off = clockOffset(1_000_000, 1_030_000);
    expect(off).toBe(30_000);
    expect(consoleNow(1_042_000, off)).toBe(1_012_000);
    expect(ageOf(1_000_000, consoleNow(1_042_000, off))).toBe('12 s ago');
  });
});
