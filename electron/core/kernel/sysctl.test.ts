// `sysctl net.inet.carp` in OpenBSD ("name=value") and FreeBSD ("name: value") style.
import { describe, expect, it } from 'vitest';
import * as F from './fixtures/freebsd.js';
import * as O from './fixtures/openbsd.js';
import { parseCarpSysctl } from './sysctl.js';

describe('parseCarpSysctl', () => {
  it('reads OpenBSD allow, preempt, log', () => {
    expect(parseCarpSysctl(O.OPENBSD_SYSCTL, 'openbsd')).toEqual({ allow: true, preempt: true, log: 2, other: {} });
  });

  it('reads FreeBSD with the demotion and its factors, with and without dscp', () => {
    expect(parseCarpSysctl(F.FREEBSD_SYSCTL_DEMOTED, 'freebsd')).toEqual({ allow: true, preempt: false, log: 1, demotion: 240, ifdownDemotionFactor: 240, senderrDemotionFactor: 240, dscp: 56, other: {} });
    expect(parseCarpSysctl(F.FREEBSD_SYSCTL, 'freebsd')).toMatchObject({ preempt: true, demotion: 0, dscp: undefined });
  });

  it('keeps unknown names as printed, and reads allow 0 as not allowed', () => {
    const r = parseCarpSysctl(`${O.OPENBSD_SYSCTL.replace('allow=1', 'allow=0')}net.inet.carp.future=abc\n`, 'openbsd');
    expect(r).toMatchObject({ allow: false, other: { future: 'abc' } });
  });

  it('refuses the other style, missing settings, non-integers, repeats and cut-off output', () => {
    expect(() => parseCarpSysctl(F.FREEBSD_SYSCTL, 'openbsd')).toThrow(/line 1 "net\.inet\.carp\.ifdown_demotion_factor: 240": expected "net\.inet\.carp\.NAME=VALUE" \(OpenBSD style\)/);
    expect(() => parseCarpSysctl('net.inet.carp.allow=1\nnet.inet.carp.log=2\n', 'openbsd')).toThrow(/no net\.inet\.carp\.preempt line/);
    expect(() => parseCarpSysctl(F.FREEBSD_SYSCTL.replace('net.inet.carp.demotion: 0\n', ''), 'freebsd')).toThrow(/no net\.inet\.carp\.demotion line/);
    expect(() => parseCarpSysctl(O.OPENBSD_SYSCTL.replace('log=2', 'log=two'), 'openbsd')).toThrow(/line 3 .*net\.inet\.carp\.log is not an integer/);
    expect(() => parseCarpSysctl(`${O.OPENBSD_SYSCTL}net.inet.carp.log=3\n`, 'openbsd')).toThrow(/line 4 .*listed twice/);
    expect(() => parseCarpSysctl(O.OPENBSD_SYSCTL.slice(0, -1), 'openbsd')).toThrow(/cut off/);
    expect(() => parseCarpSysctl('sysctl: unknown oid \'net.inet.carp\'\n', 'freebsd')).toThrow(/line 1/);
  });
});
