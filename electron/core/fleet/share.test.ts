// Structural sharing between fleets: equal content keeps the old object, any difference (values, keys,
// order, array length) takes the new one; an unchanged list keeps the old array.
import { describe, expect, it } from 'vitest';
import { sameData, shareItems } from './share.js';

describe('sameData', () => {
  it('compares plain data deeply and tells every kind of difference', () => {
    expect(sameData({ a: [1, { b: 'x' }], c: null }, { c: null, a: [1, { b: 'x' }] })).toBe(true);
    expect(sameData({ a: [1, 2] }, { a: [1, 2, 3] })).toBe(false);
    expect(sameData({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameData({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
    expect(sameData([1], { 0: 1 })).toBe(false);
    expect(sameData({ a: { b: { c: 1 } } }, { a: { b: { c: 2 } } })).toBe(false);
    expect(sameData(null, {})).toBe(false);
    expect(sameData('1', 1)).toBe(false);
  });
});

describe('shareItems', () => {
  const item = (k: string, v: number) => ({ k, v, list: [v] });
  it('keeps the old object for an unchanged item and the new one for a changed one', () => {
    const prev = [item('a', 1), item('b', 2), item('c', 3)];
    const next = [item('a', 1), item('b', 9), item('c', 3)];
    const out = shareItems(prev, next, (t) => t.k);
    expect(out).toEqual(next);
    expect(out[0]).toBe(prev[0]);
    expect(out[1]).toBe(next[1]);
    expect(out[2]).toBe(prev[2]);
  });

  it('keeps the old array when nothing changed, a new one when the order or the set changed', () => {
    const prev = [item('a', 1), item('b', 2)];
    expect(shareItems(prev, [item('a', 1), item('b', 2)], (t) => t.k)).toBe(prev);
    const swapped = shareItems(prev, [item('b', 2), item('a', 1)], (t) => t.k);
    expect(swapped).not.toBe(prev);
    expect(swapped).toEqual([prev[1], prev[0]]);
    expect(swapped[0]).toBe(prev[1]);
    const fewer = shareItems(prev, [item('a', 1)], (t) => t.k);
    expect(fewer).toEqual([prev[0]]);
    expect(fewer).not.toBe(prev);
  });
});
