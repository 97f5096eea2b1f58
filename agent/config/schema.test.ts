// Config schema cross-field checks: a VIP must not be the group's srcip nor belong to two groups on one
// interface; hook scripts must be absolute paths.
import { describe, it, expect } from 'vitest';
import { AgentConfigSchema, parseAgentConfig, MAX_PASSWORD_BYTES } from './schema.js';
import { CARP_PASSPHRASE_MAX } from '../protocol/index.js';

const g = (o: object) => ({ vhid: 1, interface: 'eth0', addresses: ['198.18.0.100/24'], password: 'pw', ...o });
const problems = (groups: object[]) => {
  const r = AgentConfigSchema.safeParse({ groups });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('config schema', () => {
  it('refuses a VIP equal to the srcip, naming the address', () => {
    expect(problems([g({ srcip: '198.18.0.100' })])).toEqual([expect.stringMatching(/^groups\.0\.addresses\.0: 198\.18\.0\.100 is also this group's srcip/)]);
    expect(problems([g({ srcip: '198.18.0.1' })])).toEqual([]);
  });

  it('refuses one VIP in two groups on one interface, allows it on two interfaces', () => {
    expect(problems([g({}), g({ vhid: 2, addresses: ['198.18.0.7', '198.18.0.100/32'] })])).toEqual([
      expect.stringMatching(/^groups\.1\.addresses\.1: 198\.18\.0\.100 on eth0 is already a virtual address of groups\[0\]/),
    ]);
    expect(problems([g({}), g({ vhid: 2, interface: 'eth1' })])).toEqual([]);
  });

  it('with arpbalance, groups that share all their addresses are a balanced set; sharing only some is refused', () => {
    const balanced = (groups: object[]) => {
      const r = AgentConfigSchema.safeParse({ arpbalance: true, groups });
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    const two = ['198.18.0.100/24', '198.18.0.101/24'];
    expect(balanced([g({ addresses: two }), g({ vhid: 2, addresses: [...two].reverse(), advskew: 100 })])).toEqual([]);
    expect(balanced([g({ addresses: two }), g({ vhid: 2, addresses: ['198.18.0.100/24'] })])).toEqual([
      expect.stringMatching(/^groups\.1\.addresses: shares 198\.18\.0\.100 on eth0 with groups\[0\] but not the same addresses \(198\.18\.0\.100\/24 against 198\.18\.0\.100\/24, 198\.18\.0\.101\/24\)/),
    ]);
    // Without arpbalance the same pair is refused, and the message says how to balance.
    expect(problems([g({ addresses: two }), g({ vhid: 2, addresses: two })])[0]).toMatch(/set "arpbalance": true to balance/);
  });

  it('hook scripts must be absolute paths', () => {
    expect(problems([g({ upscript: 'up.sh', downscript: '/usr/local/sbin/down.sh' })])).toEqual([expect.stringMatching(/^groups\.0\.upscript: must be an absolute path/)]);
    expect(parseAgentConfig({ groups: [g({ upscript: '/up.sh' })] }).groups[0].upscript).toBe('/up.sh');
  });

  it('the password limit is the protocol constant', () => {
    expect(MAX_PASSWORD_BYTES).toBe(CARP_PASSPHRASE_MAX);
  });
});
