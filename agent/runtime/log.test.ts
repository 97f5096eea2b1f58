// Error rate limiting (shared by the log and the runtime's error events): a burst, then a summary; the
// carp log level (OpenBSD's net.inet.carp.log), the wording of state transitions, the syslog datagram.
import { describe, it, expect } from 'vitest';
import {
  BurstLimiter,
  stderrLogger,
  createLogger,
  carpDropSeverity,
  transitionMessage,
  transitionSeverity,
  syslogDatagram,
  DEFAULT_LOG_LEVEL,
  LOG_EMERG,
  LOG_CRIT,
  LOG_ERR,
  LOG_WARNING,
  LOG_NOTICE,
  LOG_INFO,
  LOG_DEBUG,
} from './log.js';

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

describe('levels and wording (OpenBSD net.inet.carp.log)', () => {
  const capture = (level?: number) => {
    const got: { sev: number; msg: string }[] = [];
    const log = createLogger((sev, msg) => void got.push({ sev, msg }), level === undefined ? {} : { level });
    return { log, got };
  };

  it('writes a CARP message only when its severity is at or below the level; default 2 (LOG_CRIT)', () => {
    const { log, got } = capture();
    expect(log.level()).toBe(DEFAULT_LOG_LEVEL);
    expect(DEFAULT_LOG_LEVEL).toBe(LOG_CRIT);
    log.carp(LOG_CRIT, 'crit');
    log.carp(LOG_WARNING, 'warning');
    log.carp(LOG_DEBUG, 'debug');
    expect(got.map((g) => g.msg)).toEqual(['crit']);
    log.setLevel(7);
    expect(log.enabled(LOG_DEBUG)).toBe(true);
    log.carp(LOG_DEBUG, 'debug');
    expect(got.at(-1)).toEqual({ sev: LOG_DEBUG, msg: 'debug' });
    log.setLevel(0);
    log.carp(LOG_CRIT, 'crit again');
    expect(got).toHaveLength(2);
    expect(() => log.setLevel(8)).toThrow(/0\.\.7/);
    expect(() => log.setLevel(1.5)).toThrow(/0\.\.7/);
  });

  it('always writes the daemon lines (notice) and errors (err); drop lines follow the level at their OpenBSD severity', () => {
    const { log, got } = capture(0);
    log.info('started');
    log.error('send eth0', 'cannot send advert');
    log.error('drop ttl eth0', 'eth0: advert dropped (ttl)');
    log.error('hmac 1', 'wrong password');
    expect(got).toEqual([
      { sev: LOG_NOTICE, msg: 'started' },
      { sev: LOG_ERR, msg: 'error: cannot send advert' },
    ]);
    log.setLevel(LOG_NOTICE);
    log.error('drop ttl eth0', 'eth0: advert dropped (ttl)');
    log.error('hmac 1', 'wrong password'); // LOG_INFO: not yet
    expect(got.at(-1)).toEqual({ sev: LOG_NOTICE, msg: 'carp: eth0: advert dropped (ttl)' });
    log.setLevel(LOG_INFO);
    log.error('hmac 1', 'wrong password');
    expect(got.at(-1)).toEqual({ sev: LOG_INFO, msg: 'carp: wrong password' });
  });

  it('drop classes carry carp_proto_input severities', () => {
    expect(carpDropSeverity('drop ttl eth0')).toBe(LOG_NOTICE);
    expect(carpDropSeverity('drop version eth0')).toBe(LOG_NOTICE);
    expect(carpDropSeverity('drop checksum eth0')).toBe(LOG_INFO);
    expect(carpDropSeverity('drop short eth0')).toBe(LOG_INFO);
    expect(carpDropSeverity('hmac 7')).toBe(LOG_INFO);
    expect(carpDropSeverity('replay 7')).toBe(LOG_WARNING);
    expect(carpDropSeverity('own 7')).toBe(LOG_WARNING);
    expect(carpDropSeverity('send eth0')).toBeUndefined();
    expect(carpDropSeverity('addr eth0')).toBeUndefined();
  });

  it("words a transition as carp_set_state does, at LOG_CRIT between BACKUP and MASTER and LOG_WARNING from or to INIT", () => {
    expect(transitionMessage(1, 'eth0', 'BACKUP', 'MASTER')).toBe('carp: vhid 1 (eth0): state transition: BACKUP -> MASTER');
    expect(transitionMessage(42, 'eth1', 'MASTER', 'BACKUP')).toBe('carp: vhid 42 (eth1): state transition: MASTER -> BACKUP');
    expect(transitionSeverity('BACKUP', 'MASTER')).toBe(LOG_CRIT);
    expect(transitionSeverity('MASTER', 'BACKUP')).toBe(LOG_CRIT);
    expect(transitionSeverity('INIT', 'BACKUP')).toBe(LOG_WARNING);
    expect(transitionSeverity('MASTER', 'INIT')).toBe(LOG_WARNING);
  });

  it('builds the syslog datagram as RFC 3164 with facility daemon: <PRI>carp-agent[pid]: msg', () => {
    expect(syslogDatagram(LOG_CRIT, 'carp: vhid 1 (eth0): state transition: BACKUP -> MASTER', 1234)).toBe('<26>carp-agent[1234]: carp: vhid 1 (eth0): state transition: BACKUP -> MASTER');
    expect(syslogDatagram(LOG_DEBUG, 'x', 1)).toBe('<31>carp-agent[1]: x');
    expect(syslogDatagram(LOG_EMERG, 'x', 1)).toBe('<24>carp-agent[1]: x');
  });

  it('stderr lines keep their form: carp-agent[pid]: msg', () => {
    const out: string[] = [];
    const log = stderrLogger((l) => void out.push(l));
    log.carp(LOG_CRIT, 'carp: vhid 1 (eth0): state transition: INIT -> BACKUP');
    expect(out).toEqual([`carp-agent[${process.pid}]: carp: vhid 1 (eth0): state transition: INIT -> BACKUP\n`]);
  });
});
