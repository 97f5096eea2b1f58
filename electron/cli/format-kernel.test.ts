// carpctl hosts names a kernel-CARP host's system instead of an agent version.
import { describe, expect, it } from 'vitest';
import { formatHosts } from './format.js';
import type { Fleet } from '../core/fleet/types.js';

describe('carpctl and kernel-CARP hosts', () => {
  it('hosts: "kernel CARP (OpenBSD 7.6)" for a BSD host, the agent version for the others', () => {
    const f = { at: 0, groups: [], findings: [], hosts: [
      { host: 'gw1', status: 'live', lastSeen: 0, groups: 1, agentVersion: 'kernel', kernel: { system: 'openbsd', label: 'OpenBSD 7.6', counters: { ipackets: 12, opackets: 34 } } },
      { host: 'fw2', status: 'live', lastSeen: 0, groups: 1, agentVersion: '0.1.0' },
    ] } as unknown as Fleet;
    const [a, b] = formatHosts(f).split('\n');
    expect(a).toMatch(/^gw1 +live +kernel CARP \(OpenBSD 7\.6\), carp in 12 out 34 {2}groups 1/);
    expect(b).toMatch(/^fw2 +live +agent 0\.1\.0 {2}groups 1/);
  });
});
