// Fleet pacing for one page: the first fleet at once, a burst sends only its latest after the gap.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fleetPacer } from './pacer.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('fleetPacer', () => {
  it('sends the first at once, holds a burst and sends only its latest when the gap has passed', () => {
    const sent: number[] = [];
    const p = fleetPacer<number>((v) => sent.push(v), 100);
    p.push(1);
    expect(sent).toEqual([1]);
    vi.advanceTimersByTime(10);
    p.push(2);
    p.push(3);
    expect(sent).toEqual([1]);
    vi.advanceTimersByTime(89);
    expect(sent).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([1, 3]);
    // after a quiet gap, at once again
    vi.advanceTimersByTime(150);
    p.push(4);
    expect(sent).toEqual([1, 3, 4]);
  });

  it('50 fleets a second become at most 10, the last one always delivered', () => {
    const sent: number[] = [];
    const p = fleetPacer<number>((v) => sent.push(v), 100);
    for (let i = 0; i < 50; i++) {
      p.push(i);
      vi.advanceTimersByTime(20);
    }
    vi.advanceTimersByTime(200);
    expect(sent.length).toBeLessThanOrEqual(11);
    expect(sent.at(-1)).toBe(49);
  });

  it('sends nothing after stop', () => {
    const sent: number[] = [];
    const p = fleetPacer<number>((v) => sent.push(v), 100);
    p.push(1);
    p.push(2);
    p.stop();
    vi.advanceTimersByTime(500);
    expect(sent).toEqual([1]);
  });
});
