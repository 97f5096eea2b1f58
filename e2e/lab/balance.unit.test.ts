// The arpbalance prober's output read per client: who served which probes, what was lost, when a host first answered.
import { describe, expect, it } from 'vitest';
import { firstAnswerFrom, lostIn, parseBalanceProbe, servedBy } from './balance.js';

const clients = [{ dev: 'c0', address: '198.18.74.128' }, { dev: 'c1', address: '198.18.74.129' }];
const lines = [
  'S 0 1 1000.000', 'S 1 1 1000.100', 'R 0 1 fw1 1000.500', 'R 1 1 fw2 1000.600',
  'S 0 2 1100.000', 'S 1 2 1100.100', 'R 1 2 fw2 1100.700', 'R 1 2 fw1 1100.800',
  'S 0 3 1200.000', 'R 0 3 fw2 1200.900', 'X 0 111', 'S 9 1 1000',
];

describe('parseBalanceProbe', () => {
  const [c0, c1] = parseBalanceProbe(lines, clients);
  it('keeps each client\'s sends and first answers, ignoring unknown clients and errors', () => {
    expect([...c0.sends.keys()]).toEqual([1, 2, 3]);
    expect(c1.replies.get(2)).toEqual({ host: 'fw2', at: 1100.7 });
  });
  it('says who served, what was lost, and when a host first answered', () => {
    expect(servedBy(c0)).toEqual(new Map([['fw1', 1], ['fw2', 1]]));
    expect(servedBy(c0, 1050)).toEqual(new Map([['fw2', 1]]));
    expect(lostIn(c0)).toBe(1);
    expect(lostIn(c0, 1150)).toBe(0);
    expect(firstAnswerFrom(c0, 'fw2', 1050)).toBe(1200.9);
    expect(firstAnswerFrom(c1, 'fw1', 0)).toBeNull();
  });
});
