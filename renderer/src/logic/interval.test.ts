// Unit tests of advert interval formatting.
import { describe, expect, it } from 'vitest';
import { formatInterval } from './interval.js';

describe('formatInterval', () => {
  it('shows seconds with two decimals', () => {
    expect(formatInterval(1000)).toBe('1.00 s');
    expect(formatInterval(1000 + (50 * 1000) / 256)).toBe('1.20 s');
    expect(formatInterval(255_996)).toBe('256.00 s');
  });
  it('shows the 1/256 s minimum in ms', () => {
    expect(formatInterval(1000 / 256)).toBe('3.9 ms');
  });
  it('refuses nonsense', () => {
    expect(formatInterval(Number.NaN)).toBe('—');
  });
});
