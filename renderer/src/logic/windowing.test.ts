// The windowing of long lists: first window, growth by a step, bounds.
import { describe, expect, it } from 'vitest';
import { WINDOW_STEP, grownCount, windowCount } from './windowing.js';

describe('windowing', () => {
  it('renders one step at first, all of a short list', () => {
    expect(windowCount(0, 1000)).toBe(WINDOW_STEP);
    expect(windowCount(0, 5)).toBe(5);
  });
  it('grows by a step when the end comes into view, never beyond the list', () => {
    expect(grownCount(WINDOW_STEP, 1000)).toBe(2 * WINDOW_STEP);
    expect(grownCount(990, 1000)).toBe(1000);
    expect(grownCount(1000, 1000)).toBe(1000);
  });
  it('keeps what was shown when the list changes, shrinks with it', () => {
    expect(windowCount(96, 1000)).toBe(96);
    expect(windowCount(96, 40)).toBe(40);
  });
});
