// The split-masters finding: groups on the same hosts mastered by different hosts (the LAN on one
// firewall, the WAN on the other), with what the hosts' link demotion and preempt say about the cause.
import type { LinkDemotion } from '../../../agent/control/messages.js';
import type { Finding, FleetGroup } from './types.js';

function setId(a: string[]): string {
  return [...a].sort().join(',');
}

function label(g: FleetGroup): string {
  const name = g.members.find((m) => m.name)?.name;
  return name ? `${name} (${g.segment} vhid ${g.vhid})` : `${g.segment} vhid ${g.vhid}`;
}

/**
 * Groups that run on exactly the same live hosts but are mastered by different ones: traffic through both
 * takes an asymmetric path that stateful filtering (pf, pfsync without defer) may drop. One finding per
 * pair of groups (balanced groups left out: they are meant to be mastered apart). OpenBSD's answer is link demotion with preempt: a host that loses a link demotes itself
 * and its peer takes every group. So the message names a host that has lost a link and members without
 * preempt, which are what keeps the groups apart.
 */
export function splitMasters(groups: readonly FleetGroup[], linkDemotion: ReadonlyMap<string, LinkDemotion | undefined> = new Map()): Finding[] {
  const out: Finding[] = [];
  const bySet = new Map<string, FleetGroup[]>();
  for (const g of groups) {
    const live = g.members.filter((m) => m.live).map((m) => m.host);
    // balanced groups (arpbalance) are mastered by different hosts by design: clients are split between them
    if (live.length < 2 || !g.master || g.members.some((m) => m.balanced)) continue;
    const id = setId(live);
    bySet.set(id, [...(bySet.get(id) ?? []), g]);
  }
  for (const gs of bySet.values()) {
    const first = gs[0];
    for (const g of gs.slice(1)) {
      if (g.master === first.master) continue;
      const pair = [first.master!, g.master!];
      const causes: string[] = [];
      for (const h of pair) {
        const ld = linkDemotion.get(h);
        if (ld && ld.demote > 0) causes.push(`${h} has lost its link on ${ld.down.join(', ')} (link demotion ${ld.demote})`);
      }
      const noPreempt = [first, g].flatMap((x) => x.members.filter((m) => m.live && !m.preempt).map((m) => `${m.host} in ${x.segment} vhid ${x.vhid}`));
      if (noPreempt.length) causes.push(`preempt is off for ${noPreempt.join(', ')}: without it neither link demotion nor advskew moves a group back`);
      const advice = causes.length
        ? causes.join('; ')
        : 'check link demotion and preempt (with preempt on every member, a host that loses a link hands every group to its peer) and give one host the lowest advskew in every group';
      out.push({
        kind: 'split-masters',
        severity: 'warning',
        group: g.key,
        hosts: [...pair].sort(),
        message: `${first.master} masters ${label(first)} while ${g.master} masters ${label(g)} on the same hosts: traffic between them crosses both firewalls and stateful filtering may drop it; ${advice}`,
      });
    }
  }
  return out;
}
