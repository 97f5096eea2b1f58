// Error rate limiting (shared by the stderr log and the runtime's error events): a burst, then a summary.
import { describe, it, expect } from 'vitest';
import { BurstLimiter, stderrLogger } from './log.js';

describe('rate limiting', () => {
  it('lets 3 per class per minute through and reports the suppressed count once', () => {
    let t = 0;
    const lines: string[] = [];
    const log = stderrLogger((l) => void lines.push(l), () => t);
    for (let i = 0; i < 5; i++) log.error('a', `e${i}`);
    log.error('b', 'other class');
    expect(lines.filter((l) => l.includes('error:'))).toHaveLength(4);
    t = 60_000;
    log.error('a', 'later');
    expect(lines.at(-2)).toContain('(2 more "a" errors suppressed in the last minute)');
    expect(lines.at(-1)).toContain('error: later');
    const l = new BurstLimiter(1, 10, () => t);
    expect(l.take('k').allowed).toBe(true);
    expect(l.take('k').allowed).toBe(false);
  });
});
