// A kernel-CARP host's state as the agent's Snapshot (agent/control/messages.ts), so that the fleet
// model, carpctl and the UI treat kernel hosts and agent hosts alike. Pure. What the console adds for
// maintenance is a demotion (MAINTENANCE_DEMOTE) it can recognise again after its own restart.
import { PROTOCOL_VERSION, type GroupStatus, type Snapshot } from '../../../agent/control/messages.js';
import type { CarpState } from '../../../agent/engine/types.js';
import { toGroupStatus, type KernelCarpState, type KernelVhid } from '../kernel/model.js';

/**
 * The demotion the console adds for maintenance. OpenBSD: the carp group's counter (ifconfig -g carp
 * carpdemote 128, what /etc/rc raises while the system boots); a peer with a lower demote takes every
 * group. FreeBSD: net.inet.carp.demotion, added to advskew on the wire and capped at 240, so 240.
 */
export function maintenanceDemote(state: Pick<KernelCarpState, 'demotion'>): number {
  return state.demotion.kind === 'openbsd-groups' ? 128 : 240;
}

/** The host's demotion counter now: OpenBSD the carp group's, FreeBSD net.inet.carp.demotion. */
export function demotionCounter(state: Pick<KernelCarpState, 'demotion'>): number {
  return state.demotion.kind === 'openbsd-groups' ? (state.demotion.groups.carp ?? 0) : state.demotion.value;
}

/** The operator's demotion and maintenance, read back from the counter. */
export function operatorDemotion(state: Pick<KernelCarpState, 'demotion'>): { demote: number; maintenance: boolean } {
  const c = demotionCounter(state);
  const m = maintenanceDemote(state);
  return c >= m ? { demote: c - m, maintenance: true } : { demote: c, maintenance: false };
}

/** When each vhid last changed state, as the console saw it: the kernel keeps no such time. */
export type SinceMap = ReadonlyMap<number, { state: CarpState; since: number }>;

export function updateSince(prev: SinceMap, vhids: readonly KernelVhid[], now: number): Map<number, { state: CarpState; since: number }> {
  const next = new Map<number, { state: CarpState; since: number }>();
  for (const v of vhids) {
    const p = prev.get(v.vhid);
    next.set(v.vhid, p && p.state === v.state ? p : { state: v.state, since: now });
  }
  return next;
}

export interface KernelMeta {
  hostname: string;
  /** Boot time (ms since epoch): the "agent process" of a kernel host is its kernel, so a reboot changes it. */
  bootedAt: number;
  revision: number;
  since: SinceMap;
  now: number;
}

/** Where the system keeps its CARP configuration, for people. */
export function configPathOf(state: Pick<KernelCarpState, 'system'>): string {
  switch (state.system.kind) {
    case 'openbsd':
      return '/etc/hostname.carp*';
    case 'freebsd':
      return '/etc/rc.conf';
    default:
      return '/conf/config.xml';
  }
}

export function kernelSnapshot(state: KernelCarpState, meta: KernelMeta): Snapshot {
  const groups: GroupStatus[] = state.vhids.map((v) => toGroupStatus(v, meta.since.get(v.vhid)?.since ?? meta.now));
  return {
    type: 'snapshot',
    protocol: PROTOCOL_VERSION,
    agent: {
      version: 'kernel',
      hostname: meta.hostname,
      pid: 0,
      startedAt: meta.bootedAt,
      uptimeMs: Math.max(0, meta.now - meta.bootedAt),
      configPath: configPathOf(state),
      configRevision: meta.revision,
      os: `${state.system.label}, kernel CARP (no agent)`,
    },
    kernel: { system: state.system.kind, label: state.system.label, counters: { ...state.counters } },
    ...operatorDemotion(state),
    allow: { allowed: state.allow, leaving: false, persistedOff: false },
    log: state.log,
    groups,
    unmatchedDrops: {},
  };
}
