// advbase 0 (sub-second adverts, OpenBSD and ucarp) at every door of the agent: the config file, the
// control socket's putGroup/apply, and ucarp's command line accept it with advskew 1..254 and refuse
// it with advskew 0, saying why (one rule: advbaseProblem in schema.ts).
import { describe, expect, it } from 'vitest';
import { AgentConfigSchema, GroupConfigSchema, advbaseProblem, parseAgentConfig } from './schema.js';
import { parseCommandLine } from '../control/messages.js';
import { parseArgs } from '../cli/args.js';

const WHY = 'advbase 0 needs advskew 1..254: the advert interval is advskew/256 s, and 0 would be no interval at all';
const g = (o: object) => ({ vhid: 1, interface: 'eth0', addresses: ['198.18.0.100/24'], password: 'pw', ...o });

describe('advbase 0', () => {
  it('the rule: only advbase 0 with advskew 0 is refused', () => {
    expect(advbaseProblem(0, 0)).toBe(WHY);
    expect(advbaseProblem(0, 1)).toBeNull();
    expect(advbaseProblem(0, 254)).toBeNull();
    expect(advbaseProblem(1, 0)).toBeNull();
  });

  it('the config file accepts advbase 0 with advskew 1..254', () => {
    expect(parseAgentConfig({ groups: [g({ advbase: 0, advskew: 10 })] }).groups[0]).toMatchObject({ advbase: 0, advskew: 10 });
    expect(parseAgentConfig({ groups: [g({ advbase: 0, advskew: 254 })] }).groups[0].advbase).toBe(0);
  });

  it('the config file refuses advbase 0 with advskew 0 (also by default), naming the group and saying why', () => {
    for (const group of [g({ advbase: 0, advskew: 0 }), g({ advbase: 0 })]) {
      const r = AgentConfigSchema.safeParse({ groups: [g({ vhid: 2, addresses: ['198.18.0.101/24'] }), group] });
      expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([`groups.1.advskew: ${WHY}`]);
    }
    expect(() => parseAgentConfig({ groups: [g({ advbase: 0 })] }, '/etc/carp-agent/config.json')).toThrow(`/etc/carp-agent/config.json: invalid configuration:\n  groups[0].advskew: ${WHY}`);
  });

  it('ranges still hold: advbase 256 and -1 are refused', () => {
    expect(GroupConfigSchema.safeParse(g({ advbase: 256, advskew: 1 })).success).toBe(false);
    expect(GroupConfigSchema.safeParse(g({ advbase: -1, advskew: 1 })).success).toBe(false);
  });

  it('the control socket: putGroup and apply take advbase 0 with advskew 10 and refuse it with advskew 0', () => {
    const put = (group: object) => parseCommandLine(JSON.stringify({ id: 1, cmd: 'putGroup', group }));
    expect(put(g({ advbase: 0, advskew: 10 }))).toMatchObject({ ok: true, command: { group: { advbase: 0, advskew: 10 } } });
    const bad = put(g({ advbase: 0, advskew: 0 }));
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : bad.error.message).toContain(WHY);
    const apply = parseCommandLine(JSON.stringify({ id: 2, cmd: 'apply', config: { groups: [g({ advbase: 0 })] } }));
    expect(apply.ok ? '' : apply.error.message).toContain(WHY);
  });

  it("ucarp's command line: -b 0 -k 10 runs, -b 0 alone is refused with the reason on --advskew", () => {
    const ok = parseArgs(['run', '-i', 'eth0', '-v', '3', '--pass=pw', '-a', '198.18.0.100', '-b', '0', '-k', '10']);
    expect(ok.cmd === 'run' && ok.inline?.groups[0]).toMatchObject({ advbase: 0, advskew: 10 });
    expect(() => parseArgs(['run', '-i', 'eth0', '-v', '3', '--pass=pw', '-a', '198.18.0.100', '-b', '0'])).toThrow(`--advskew: ${WHY}`);
  });
});
