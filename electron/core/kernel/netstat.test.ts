// `netstat -s -p carp` of OpenBSD (printf) and FreeBSD (libxo): counters into a record.
import { describe, expect, it } from 'vitest';
import * as F from './fixtures/freebsd.js';
import * as O from './fixtures/openbsd.js';
import { parseCarpNetstat } from './netstat.js';

describe('parseCarpNetstat', () => {
  it('reads every OpenBSD counter, singular and plural forms', () => {
    expect(parseCarpNetstat(O.OPENBSD_NETSTAT)).toEqual({
      ipackets: 3961, ipackets6: 0, badif: 0, badttl: 1, hdrops: 0, badsum: 0, badver: 0, badlen: 0, badauth: 2, badvhid: 7, badaddrs: 0,
      opackets: 1822, opackets6: 0, onomem: 0, preempt: 1,
    });
  });

  it('reads FreeBSD (no bad-interface or transition counters; "bad vhid")', () => {
    const r = parseCarpNetstat(F.FREEBSD_NETSTAT);
    expect(r).toMatchObject({ ipackets: 12345, badsum: 1, badauth: 4, badvhid: 3, opackets: 678 });
    expect(r.badif).toBeUndefined();
    expect(r.preempt).toBeUndefined();
  });

  it('leaves counters absent that -ss did not print (zeros)', () => {
    expect(parseCarpNetstat('carp:\n\t5 packets received (IPv4)\n\t\t1 discarded for bad authentication\n')).toEqual({ ipackets: 5, badauth: 1 });
  });

  it('refuses a missing title, unknown lines, repeats and cut-off output', () => {
    expect(() => parseCarpNetstat(O.OPENBSD_NETSTAT.replace('carp:\n', ''))).toThrow(/line 1 .*expected the title line "carp:"/);
    expect(() => parseCarpNetstat(O.OPENBSD_NETSTAT.replace('1 transition to master', '1 transition to nowhere'))).toThrow(/line 16 .*not a carp counter line/);
    expect(() => parseCarpNetstat(`${O.OPENBSD_NETSTAT}\t2 packets sent (IPv4)\n`)).toThrow(/line 17 .*counter opackets listed twice/);
    expect(() => parseCarpNetstat(O.OPENBSD_NETSTAT.slice(0, -4))).toThrow(/cut off/);
    expect(() => parseCarpNetstat('')).toThrow(/printed nothing/);
  });
});
