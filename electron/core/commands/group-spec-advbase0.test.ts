// The group spec (carpctl group apply, ConsoleApi.applyGroup, the editor) at advbase 0: the agent's own
// rule (advbaseProblem, agent/config/schema.ts) on what each member will run, named per member.
import { describe, expect, it } from 'vitest';
import { memberConfig, parseGroupSpecText, validateGroupSpec } from './group-spec.js';

const WHY = 'advbase 0 needs advskew 1..254: the advert interval is advskew/256 s, and 0 would be no interval at all';
const spec = (o: object) => ({ vhid: 5, interface: 'eth0', addresses: ['198.18.0.100/24'], password: 'pw', ...o });

describe('group spec at advbase 0', () => {
  it('accepts advbase 0 with every member at advskew 1..254, and each member gets exactly that config', () => {
    const s = validateGroupSpec(spec({ advbase: 0, members: [{ host: 'fw1', advskew: 10 }, { host: 'fw2', advskew: 20 }] }));
    expect(memberConfig(s, s.members[0])).toMatchObject({ advbase: 0, advskew: 10 });
    expect(memberConfig(s, s.members[1])).toMatchObject({ advbase: 0, advskew: 20 });
  });

  it('refuses a member with advskew 0, naming it and saying why', () => {
    expect(() => validateGroupSpec(spec({ advbase: 0, members: [{ host: 'fw1', advskew: 0 }, { host: 'fw2', advskew: 20 }] }), 'lan.yaml')).toThrow(`lan.yaml: invalid group:\n  members[0].advskew: ${WHY}`);
    const yaml = 'vhid: 5\ninterface: eth0\naddresses: [198.18.0.100/24]\npassword: pw\nadvbase: 1\nmembers:\n  - {host: fw1, advskew: 0, advbase: 0}\n';
    expect(() => parseGroupSpecText(yaml, 'g.yaml')).toThrow(`members[0].advskew: ${WHY}`);
  });

  it('a member that overrides advbase to 1 may keep advskew 0 in an advbase 0 group', () => {
    const s = validateGroupSpec(spec({ advbase: 0, members: [{ host: 'fw1', advskew: 0, advbase: 1 }, { host: 'fw2', advskew: 20 }] }));
    expect(memberConfig(s, s.members[0])).toMatchObject({ advbase: 1, advskew: 0 });
  });
});
