// The nearest-rank percentile used for the console-ui p95.
import { describe, expect, it } from 'vitest';
import { percentile } from './percentile.js';

describe('percentile', () => {
  it('is the nearest rank: p95 of 1..100 is 95, of 1..20 is 19, p100 the largest', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 95)).toBe(19);
    expect(percentile([3, 1, 2], 100)).toBe(3);
  });
  it('ignores NaN, is NaN without samples, refuses p outside (0, 100]', () => {
    expect(percentile([NaN, 7], 95)).toBe(7);
    expect(percentile([], 95)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(/0 < p <= 100/);
    expect(() => percentile([1], 101)).toThrow(/0 < p <= 100/);
  });
});
