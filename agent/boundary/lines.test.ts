// The bounded line splitter: lines across chunks and UTF-8 boundaries, CRLF, and a line past the limit
// (or one that never ends) reported once and never kept, with the next line read normally.
import { describe, expect, it } from 'vitest';
import { LineReader } from './lines.js';
import { Rng } from '../testing/fuzz.js';

function reader(max: number) {
  const got: (string | number)[] = [];
  const r = new LineReader(max, { line: (l) => got.push(l), tooLong: (n) => got.push(n) });
  return { r, got };
}

describe('LineReader', () => {
  it('splits lines across chunks, even inside a UTF-8 character, and drops a trailing CR', () => {
    const { r, got } = reader(100);
    const bytes = Buffer.from('héllo\r\nwörld\n\npart');
    for (let i = 0; i < bytes.length; i++) r.push(bytes.subarray(i, i + 1));
    expect(got).toEqual(['héllo', 'wörld', '']);
    expect(r.pending()).toBe(4);
  });

  it('reports a line past the limit once, keeps none of it, and reads the next line', () => {
    const { r, got } = reader(10);
    r.push('x'.repeat(8));
    r.push('y'.repeat(8)); // 16 bytes, no newline yet
    expect(got).toEqual([16]);
    expect(r.pending()).toBe(0);
    for (let i = 0; i < 1000; i++) r.push('z'.repeat(1000)); // a peer that never sends a newline
    expect(got).toEqual([16]);
    expect(r.pending()).toBe(0);
    r.push('zz\nok\n');
    expect(got).toEqual([16, 'ok']);
  });

  it('gives the same lines however random chunking cuts the stream', () => {
    const rng = new Rng(42);
    const text = Array.from({ length: 200 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)}`).join('\n') + '\n';
    for (let round = 0; round < 50; round++) {
      const { r, got } = reader(1000);
      const b = Buffer.from(text);
      for (let at = 0; at < b.length; ) {
        const n = 1 + rng.int(40);
        r.push(b.subarray(at, at + n));
        at += n;
      }
      expect(got).toEqual(text.split('\n').slice(0, -1));
    }
  });
});
