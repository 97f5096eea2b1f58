// OpenBSD's link demotion (ip_carp.c: carp_carpdev_state / carp_group_demote_adj), as pure decisions:
// while an interface that carries a CARP group has lost its link, the host's demotion is raised by 1 for it.
//
// OpenBSD marks a carp interface "suppressed" when its carpdev loses its link (IFF_UP off or link state
// down) and adds 1 to the demotion counter of its interface groups only when it was not suppressed yet,
// and subtracts 1 only when it was: so a flapping link never adds up. Here the same holds by
// construction: the link demotion is the number of carried interfaces that are down now, recomputed
// from the set of links, never incremented blindly. It is kept apart from the operator's counter
// (`carp-agent demote`, maintenance), which it is added to on the wire (at most 255).
import type { LinkDemotion } from '../control/messages.js';

export type { LinkDemotion };

export const NO_LINK_DEMOTION: LinkDemotion = { demote: 0, down: [] };

/**
 * The links as the kernel reports them: interface name -> usable (IFF_UP and IFF_RUNNING). An interface
 * that is not in the map does not exist (deleted, renamed, never there).
 */
export type LinkTable = ReadonlyMap<string, boolean>;

/** The interfaces that carry at least one group, sorted, each once. */
export function carriedInterfaces(groups: ReadonlyArray<{ interface: string }>): string[] {
  return [...new Set(groups.map((g) => g.interface))].sort();
}

/**
 * Which carried interfaces count as down: link down (no carrier, administratively down) or absent (its
 * groups cannot run there either). Interfaces that carry no group never count (a down management link
 * or an unused port demotes nothing).
 */
export function downInterfaces(carried: readonly string[], links: LinkTable): string[] {
  return carried.filter((name) => links.get(name) !== true);
}

export interface LinkDemotionStep {
  next: LinkDemotion;
  /** The adjustment to the host's demotion: +1 per interface that went down, -1 per one that came back. */
  adj: number;
  /** Interfaces newly counted down (raised for), and no longer counted (lowered for). */
  raised: string[];
  lowered: string[];
}

/**
 * One step: the link demotion after a link change or a config change. Idempotent: the same links give the
 * same demotion however often they are reported (a flap reported twice raises once). An interface that no
 * longer carries a group stops counting (its demotion is lowered, as OpenBSD does when a carp interface
 * is destroyed while suppressed).
 */
export function nextLinkDemotion(prev: LinkDemotion, carried: readonly string[], links: LinkTable): LinkDemotionStep {
  const down = downInterfaces(carried, links);
  const was = new Set(prev.down);
  const now = new Set(down);
  const raised = down.filter((d) => !was.has(d));
  const lowered = prev.down.filter((d) => !now.has(d));
  const next: LinkDemotion = { demote: Math.min(255, down.length), down };
  return { next, adj: next.demote - prev.demote, raised, lowered };
}

/** What goes on the wire (byte 4): the operator's counter plus the link demotion, at most 255. */
export function effectiveDemote(operator: number, link: LinkDemotion): number {
  return Math.min(255, operator + link.demote);
}

/** One log line for a step, in OpenBSD's words ("demoted group carp by 1 to 1"). */
export function describeLinkStep(s: LinkDemotionStep): string {
  const parts = [
    ...s.raised.map((i) => `${i} lost its link`),
    ...s.lowered.map((i) => `${i} link back`),
  ];
  const by = s.adj >= 0 ? `+${s.adj}` : String(s.adj);
  return `link demotion ${by} to ${s.next.demote} (${parts.join(', ')})${s.next.down.length ? `: down ${s.next.down.join(', ')}` : ''}`;
}
