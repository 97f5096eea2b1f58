// carpctl hosts: each host's line says where its key trust comes from.
import { describe, expect, it } from 'vitest';
import { formatHosts } from './format.js';
import type { Fleet } from '../core/fleet/types.js';

describe('formatHosts', () => {
  it('adds the trust source per host when given', () => {
    const f = { at: 0, groups: [], findings: [], hosts: [
      { host: 'fw1', status: 'live', lastSeen: 0, groups: 1 },
      { host: 'fw2', status: 'unreachable', lastSeen: 0, groups: 0, hostKey: 'unknown' },
    ] } as unknown as Fleet;
    const trust = (h: string) => (h === 'fw1' ? '/etc/ssh/ssh_known_hosts:3 (@cert-authority)' : 'unknown');
    const lines = formatHosts(f, trust).split('\n');
    expect(lines[0]).toMatch(/^fw1 .* key \/etc\/ssh\/ssh_known_hosts:3 \(@cert-authority\)$/);
    expect(lines[1]).toMatch(/^fw2 .* key unknown/);
    expect(formatHosts(f)).not.toMatch(/ key /);
  });
});
