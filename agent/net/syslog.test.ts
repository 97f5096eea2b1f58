// The syslog edge without a syslog daemon: sockaddr_un layout, and stderr when there is no socket.
import { describe, it, expect } from 'vitest';
import { sockaddrUn, agentLogSink, syslogSink, ENV_SYSLOG_SOCKET } from './syslog.js';

describe('syslog socket', () => {
  it('lays out struct sockaddr_un: AF_UNIX then the NUL-terminated path in 108 bytes', () => {
    const b = sockaddrUn('/dev/log');
    expect(b.length).toBe(110);
    expect(b.readUInt16LE(0)).toBe(1);
    expect(b.subarray(2, 10).toString()).toBe('/dev/log');
    expect(b[10]).toBe(0);
    expect(() => sockaddrUn('/' + 'x'.repeat(120))).toThrow(/longer than 107 bytes/);
  });

  it('logs to stderr when the socket does not exist', () => {
    expect(syslogSink('/nonexistent/carp-agent-test.sock')).toBeNull();
    expect(agentLogSink({ [ENV_SYSLOG_SOCKET]: '/nonexistent/carp-agent-test.sock' }).where).toBe('stderr');
  });
});
