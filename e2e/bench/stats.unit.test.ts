// Unit tests of the benchmark's pure helpers: summaries, /proc parsing, CPU %, formats, table layout.
import { describe, it, expect } from 'vitest';
import { cpuPercent, fmtS, fmtSigned, ratio, renderTable, rssKiBFromStatus, summarise, ticksFromStat, worstAbs } from './stats.js';

describe('bench stats', () => {
  it('summarises odd and even sample counts, ignoring non-finite samples', () => {
    expect(summarise([3, 1, 2])).toEqual({ n: 3, median: 2, worst: 3, best: 1, mean: 2 });
    expect(summarise([4, 1, NaN, 3, 2]).median).toBe(2.5);
    expect(summarise([]).n).toBe(0);
    expect(Number.isNaN(summarise([]).median)).toBe(true);
    expect(summarise([5, 9], 'min').worst).toBe(5);
  });

  it('picks the worst signed delta by magnitude', () => {
    expect(worstAbs([3, -40, 12])).toBe(-40);
    expect(worstAbs([1, 2])).toBe(2);
  });

  it('reads utime+stime from /proc/PID/stat even with spaces and parens in the command', () => {
    // fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    const stat = '1234 (node (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 731 269 0 0 20 0 11 0';
    expect(ticksFromStat(stat)).toBe(1000);
  });

  it('reads VmRSS from /proc/PID/status', () => {
    expect(rssKiBFromStatus('Name:\tnode\nVmPeak:\t  999 kB\nVmRSS:\t   52344 kB\nRssAnon:\t 1 kB\n')).toBe(52344);
    expect(Number.isNaN(rssKiBFromStatus('Name:\tkthread\n'))).toBe(true);
  });

  it('turns ticks over wall time into % of one core', () => {
    expect(cpuPercent(100, 150, 20_000)).toBeCloseTo(2.5);
    expect(Number.isNaN(cpuPercent(0, 1, 0))).toBe(true);
  });

  it('formats seconds, signed deltas and ratios; aligns table columns', () => {
    expect(fmtS(3390.625, 3)).toBe('3.391 s');
    expect(fmtSigned(-12.4)).toBe('-12 ms');
    expect(fmtSigned(20)).toBe('+20 ms');
    expect(Number.isNaN(ratio(1, 0))).toBe(true);
    expect(renderTable([['a', 'bb', 'c'], ['ccc', 'd', 'e']], 1)).toBe('a   bb c\nccc d  e');
  });
});
