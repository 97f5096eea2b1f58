// CLI parsing: subcommands, exit-code-relevant usage errors, and ucarp's command line -> config.
import { describe, it, expect } from 'vitest';
import { parseArgs, UsageError } from './args.js';

describe('carp-agent arguments', () => {
  it('run --config', () => {
    expect(parseArgs(['run', '--config', '/x/c.json', '--socket=/tmp/s'])).toEqual({ cmd: 'run', socket: '/tmp/s', configPath: '/x/c.json' });
    expect(parseArgs(['run'])).toMatchObject({ configPath: '/etc/carp-agent/config.json', socket: '/run/carp-agent.sock' });
  });

  it('supervise and cleanup take the config file (and the socket), not ucarp options', () => {
    expect(parseArgs(['supervise', '--config', '/x/c.json'])).toEqual({ cmd: 'supervise', socket: '/run/carp-agent.sock', configPath: '/x/c.json' });
    expect(parseArgs(['supervise', '--socket', '/tmp/s', '--state', '/tmp/st.json'])).toEqual({ cmd: 'supervise', socket: '/tmp/s', configPath: '/etc/carp-agent/config.json', statePath: '/tmp/st.json' });
    expect(parseArgs(['cleanup'])).toEqual({ cmd: 'cleanup', socket: '/run/carp-agent.sock', configPath: '/etc/carp-agent/config.json' });
    expect(() => parseArgs(['supervise', '-i', 'eth0'])).toThrow(/works with a config file/);
    expect(() => parseArgs(['cleanup', 'now'])).toThrow(UsageError);
  });

  it("turns ucarp's long options into a one-group config", () => {
    const p = parseArgs([
      'run', '--interface=eth0', '--srcip=198.18.0.1', '--vhid=42', '--pass=secret', '--addr=198.18.0.100',
      '--advbase=2', '--advskew=100', '--preempt', '--neutral', '--upscript=/up.sh', '--downscript=/down.sh', '--xparam=x1',
    ]);
    expect(p.cmd).toBe('run');
    if (p.cmd !== 'run') return;
    expect(p.inline?.groups).toEqual([
      {
        vhid: 42, interface: 'eth0', addresses: ['198.18.0.100'], password: 'secret', advbase: 2, advskew: 100,
        preempt: true, neutral: true, srcip: '198.18.0.1', upscript: '/up.sh', downscript: '/down.sh', xparam: 'x1',
      },
    ]);
  });

  it('gives an inline group its own state file per vhid, unless --state is given', () => {
    const p = parseArgs(['run', '-i', 'eth0', '-v', '42', '-p', 'pw', '-a', '198.18.0.5']);
    expect(p).toMatchObject({ cmd: 'run', statePath: '/run/carp-agent-ucarp-42.state.json' });
    expect(parseArgs(['run', '-i', 'eth0', '-v', '42', '-p', 'pw', '-a', '198.18.0.5', '--state', '/tmp/s.json'])).toMatchObject({ statePath: '/tmp/s.json' });
    expect(parseArgs(['run', '--config', '/x/c.json'])).not.toHaveProperty('statePath');
  });

  it('refuses a relative hook script path naming the option', () => {
    expect(() => parseArgs(['run', '-i', 'eth0', '-v', '1', '-p', 'a', '-a', '198.18.0.5', '-u', 'up.sh'])).toThrow(/--upscript: must be an absolute path/);
  });

  it("accepts ucarp's short options, the last --addr wins, defaults like ucarp", () => {
    const p = parseArgs(['run', '-i', 'eth1', '-s', '198.18.0.2', '-v', '7', '-p', 'pw', '-a', '198.18.0.5', '-a', '198.18.0.6', '-z']);
    if (p.cmd !== 'run') throw new Error('not run');
    expect(p.inline?.groups[0]).toMatchObject({ interface: 'eth1', vhid: 7, addresses: ['198.18.0.6'], advbase: 1, advskew: 0, preempt: false });
  });

  it('refuses a 20-byte ucarp password naming the option', () => {
    expect(() => parseArgs(['run', '-i', 'eth0', '-v', '1', '-p', 'x'.repeat(20), '-a', '198.18.0.5'])).toThrow(/--pass: is longer than 19 bytes/);
  });

  it('refuses bad values and missing required ucarp options', () => {
    expect(() => parseArgs(['run', '-i', 'eth0', '-v', '1', '-p', 'a', '-a', '198.18.0.5', '-k', '255'])).toThrow(/--advskew: must be 0..254/);
    expect(() => parseArgs(['run', '-i', 'eth0', '-p', 'a', '-a', '198.18.0.5'])).toThrow(/--vhid is required/);
    expect(() => parseArgs(['run', '--config', 'c', '-i', 'eth0'])).toThrow(/either --config/);
    expect(() => parseArgs(['run', '-i', 'eth0', '-v', '1', '-p', 'a', '-a', '198.18.0.5', '-B'])).toThrow(/daemonize/);
  });

  it('status, demote, maintenance, set, attach, version', () => {
    expect(parseArgs(['status', '--json'])).toEqual({ cmd: 'status', socket: '/run/carp-agent.sock', json: true });
    expect(parseArgs(['demote', '5'])).toMatchObject({ op: 'set', value: 5 });
    expect(parseArgs(['demote', '+5'])).toMatchObject({ op: 'add', value: 5 });
    expect(parseArgs(['demote', '-3', '--socket', '/s'])).toMatchObject({ op: 'add', value: -3, socket: '/s' });
    expect(parseArgs(['maintenance', 'on'])).toMatchObject({ cmd: 'maintenance', on: true });
    expect(parseArgs(['set', '42', 'advskew', '10'])).toMatchObject({ vhid: 42, key: 'advskew', value: 10 });
    expect(parseArgs(['set', '42', 'preempt', 'off'])).toMatchObject({ key: 'preempt', value: false });
    expect(parseArgs(['attach'])).toEqual({ cmd: 'attach', socket: '/run/carp-agent.sock' });
    expect(parseArgs(['version'])).toEqual({ cmd: 'version' });
  });

  it('usage errors are UsageError with a reason', () => {
    expect(() => parseArgs(['frobnicate'])).toThrow(UsageError);
    expect(() => parseArgs(['demote', 'x'])).toThrow(/whole number/);
    expect(() => parseArgs(['maintenance', 'maybe'])).toThrow(/on\|off/);
    expect(() => parseArgs(['set', '42', 'color', '1'])).toThrow(/unknown key/);
    expect(() => parseArgs(['status', '--bogus'])).toThrow(/unknown option --bogus/);
  });
});
