// Test helpers: agent snapshots and group statuses as plain data, for the unit tests of the core.
import type { GroupStatus, Snapshot } from '../../../agent/control/messages.js';
import { passwordCheckSync } from '../../../agent/config/password-check.js';

/** The check value an agent reports for this password (the real derivation; addresses default to groupStatus's). */
export function check(vhid: number, password: string, addresses: readonly string[] = ['198.18.0.100/24']): string {
  return passwordCheckSync(vhid, password, addresses);
}

export function groupStatus(over: Partial<GroupStatus> & { vhid: number; srcip: string }): GroupStatus {
  const advbase = over.advbase ?? 1;
  const advskew = over.advskew ?? 0;
  return {
    interface: 'eth0',
    segment: '198.18.0.0/24',
    addresses: ['198.18.0.100/24'],
    state: 'BACKUP',
    since: 1000,
    advbase,
    advskew,
    wireAdvbase: advbase,
    wireAdvskew: advskew,
    demote: 0,
    preempt: true,
    passwordCheck: check(over.vhid, 'secret', over.addresses),
    lastAdvert: null,
    sent: 0,
    received: 0,
    drops: {},
    ...over,
  };
}

export function snapshot(host: string, groups: GroupStatus[], over: Partial<Snapshot> = {}): Snapshot {
  return {
    type: 'snapshot',
    protocol: 1,
    agent: {
      version: '0.1.0+test',
      hostname: host,
      pid: 100,
      startedAt: 1000,
      uptimeMs: 1000,
      configPath: '/etc/carp-agent/config.json',
      configRevision: 1,
    },
    demote: 0,
    maintenance: false,
    groups,
    unmatchedDrops: {},
    ...over,
  };
}
