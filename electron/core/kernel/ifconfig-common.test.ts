// Shared ifconfig pieces: hex netmasks to prefix lengths, networks of addresses, header lines, and
// the quoting of command lines (passwords shell-quoted in the clear form, never in the redacted one).
import { describe, expect, it } from 'vitest';
import { command, redactedLine, secret, shellLine } from './command.js';
import { ifconfigBlocks, inNetwork, networkOf, prefixFromHexMask } from './ifconfig-common.js';

describe('netmasks and networks', () => {
  it('turns contiguous hex masks into prefix lengths and refuses the others', () => {
    expect([0x0, 0x80000000, 0xffffff00, 0xfffffffe, 0xffffffff].map((m) => prefixFromHexMask(`0x${m.toString(16)}`))).toEqual([0, 1, 24, 31, 32]);
    expect(prefixFromHexMask('0xff00ff00')).toBeUndefined();
    expect(prefixFromHexMask('0x1ffffffff')).toBeUndefined();
    expect(prefixFromHexMask('255.255.255.0')).toBeUndefined();
  });

  it('computes networks and membership', () => {
    expect(networkOf('198.51.100.77/24')).toBe('198.51.100.0/24');
    expect(networkOf('203.0.113.11/32')).toBe('203.0.113.11/32');
    expect(networkOf('10.1.2.3/0')).toBe('0.0.0.0/0');
    expect(inNetwork('198.51.100.1', '198.51.100.2/24')).toBe(true);
    expect(inNetwork('198.51.101.1', '198.51.100.2/24')).toBe(false);
  });
});

describe('interface headers', () => {
  it('reads names, flags and mtu of both systems, and refuses a repeated interface', () => {
    const b = ifconfigBlocks('t', 'enc0: flags=0<>\nem0.100: flags=8943<UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST> metric 0 mtu 1500\n\tstatus: active\n');
    expect(b.map((x) => [x.name, x.flags, x.mtu, x.lines.length])).toEqual([
      ['enc0', [], undefined, 0],
      ['em0.100', ['UP', 'BROADCAST', 'RUNNING', 'PROMISC', 'SIMPLEX', 'MULTICAST'], 1500, 1],
    ]);
    expect(() => ifconfigBlocks('t', 'em0: flags=0<>\nem0: flags=0<>\n')).toThrow(/line 2 "em0: flags=0<>": interface em0 is listed twice/);
    expect(() => ifconfigBlocks('t', '\tinet 1.2.3.4 netmask 0xff000000\n')).toThrow(/line 1 .*before any interface header/);
  });
});

describe('command lines', () => {
  it('quotes words that need it, an empty password included, and shows secrets only as <redacted>', () => {
    const c = command('t', ['ifconfig', 'carp1', 'pass', secret(''), 'descr', 'a b']);
    expect(shellLine(c)).toBe("ifconfig carp1 pass '' descr 'a b'");
    expect(redactedLine(c)).toBe("ifconfig carp1 pass <redacted> descr 'a b'");
  });
});
