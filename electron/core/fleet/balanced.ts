// Balanced units (OpenBSD's arpbalance) in the fleet model: the groups on a segment that share one address
// set and that their members report as balanced, each host's share of the clients, and the findings of a
// set with a member missing or mismatched addresses. Pure; the hash is agent/protocol/balance.ts.
import { balanceShare } from '../../../agent/protocol/balance.js';
import type { BalancedShare, BalancedUnit, Finding, FleetGroup, HostView } from './types.js';

/** A group's addresses as one comparable string, sorted (the agent's addressSet). */
function setOf(addresses: readonly string[]): string {
  return [...addresses].sort().join(' ');
}

function unitKey(segment: string, addresses: readonly string[]): string {
  return `${segment} ${setOf(addresses)}`;
}

const isBalanced = (g: FleetGroup) => g.members.some((m) => m.balanced);

/** The balanced units of the fleet, by segment then addresses: each from the groups whose members report `balanced`. */
export function balancedUnits(groups: readonly FleetGroup[]): BalancedUnit[] {
  const byKey = new Map<string, FleetGroup[]>();
  for (const g of groups) {
    if (!isBalanced(g)) continue;
    const k = unitKey(g.segment, g.addresses);
    byKey.set(k, [...(byKey.get(k) ?? []), g]);
  }
  const units: BalancedUnit[] = [];
  for (const [key, gs] of byKey) {
    gs.sort((a, b) => a.vhid - b.vhid);
    const vhids = gs.map((g) => g.vhid);
    const hosts = new Map<string, BalancedShare>();
    for (const g of gs) {
      for (const m of g.members) {
        const h = hosts.get(m.host) ?? { host: m.host, member: [], masters: [], share: 0, live: false };
        h.member.push(g.vhid);
        if (g.masters.includes(m.host)) h.masters.push(g.vhid);
        h.live ||= m.live;
        hosts.set(m.host, h);
      }
    }
    const shares = [...hosts.values()].sort((a, b) => a.host.localeCompare(b.host));
    for (const h of shares) h.share = balanceShare(h.masters, vhids);
    const name = gs.find((g) => g.name)?.name;
    units.push({
      key,
      segment: gs[0].segment,
      addresses: [...gs[0].addresses].sort(),
      vhids,
      groups: gs.map((g) => g.key),
      ...(name ? { name } : {}),
      hosts: shares,
      unserved: gs.filter((g) => g.masters.length === 0).map((g) => g.vhid),
    });
  }
  return units.sort((a, b) => a.segment.localeCompare(b.segment) || a.key.localeCompare(b.key));
}

const list = (vhids: readonly number[]) => vhids.join(', ');
const vhidWord = (vhids: readonly number[]) => (vhids.length === 1 ? `vhid ${vhids[0]}` : `vhids ${list(vhids)}`);

/** "198.18.0.100/24 on 198.18.0.0/24 (balanced over vhids 1, 2)". */
export function unitLabel(u: BalancedUnit): string {
  return `${u.addresses.join(' ')} on ${u.segment}${u.name ? ` (${u.name})` : ''}`;
}

/**
 * The findings of the balanced units:
 * - `balance:member-missing` (warning): a host that is a member of some of the set's vhids but not all
 *   (it cannot take over the others' clients); (error) a host that balances over a vhid no group on the
 *   segment has (the clients it hashes there get no answer).
 * - `balance:mismatch` (error): a group on the segment that shares some but not all of the set's addresses,
 *   or all of them without being balanced; members of one group of which some balance and others do not
 *   (arpbalance off on a host), or that balance over different vhids (they hash clients differently).
 */
export function balanceFindings(groups: readonly FleetGroup[], units: readonly BalancedUnit[], hosts: readonly HostView[] = []): Finding[] {
  if (!units.length) return [];
  const out: Finding[] = [];
  const arpbalance = new Map(hosts.map((h) => [h.host, h.arpbalance]));
  const onSegment = new Map<string, FleetGroup[]>();
  for (const g of groups) onSegment.set(g.segment, [...(onSegment.get(g.segment) ?? []), g]);
  const reported = new Set<string>();

  for (const u of units) {
    const where = `${unitLabel(u)}, balanced over ${vhidWord(u.vhids)}`;
    const mine = new Set(u.groups);
    const segGroups = onSegment.get(u.segment) ?? [];
    const unitGroups = segGroups.filter((g) => mine.has(g.key));

    // A member of some of the set's vhids but not all.
    for (const h of u.hosts) {
      const missing = u.vhids.filter((v) => !h.member.includes(v));
      if (!missing.length) continue;
      out.push({
        kind: 'balance:member-missing',
        severity: 'warning',
        group: u.groups[u.vhids.indexOf(missing[0])],
        hosts: [h.host],
        message: `${where}: ${h.host} is a member of ${vhidWord(h.member)} but not of ${vhidWord(missing)}, so it cannot take over the clients hashed to ${missing.length === 1 ? 'it' : 'them'} when ${missing.length === 1 ? 'its master fails' : 'their masters fail'}; add ${h.host} to every vhid of the set (apply the balanced set's file again) or remove it from all of them`,
      });
    }

    // A host that balances over a vhid no group on the segment has.
    const segVhids = new Set(segGroups.map((g) => g.vhid));
    for (const g of unitGroups) {
      for (const m of g.members) {
        const unknown = (m.balanced ?? []).filter((v) => !segVhids.has(v));
        const id = `${m.host} ${u.key}`;
        if (!unknown.length || reported.has(id)) continue;
        reported.add(id);
        out.push({
          kind: 'balance:member-missing',
          severity: 'error',
          group: g.key,
          hosts: [m.host],
          message: `${where}: ${m.host} hashes its clients over ${vhidWord(m.balanced!)}, but no host reports ${vhidWord(unknown)} on ${u.segment}, so the clients it hashes to ${unknown.length === 1 ? 'that vhid' : 'those vhids'} get no answer; check ${m.host}'s config (carp-agent status) and apply the balanced set's file again`,
        });
      }
    }

    // Members of one group that disagree: some balance and some do not, or over different vhids.
    for (const g of unitGroups) {
      const off = g.members.filter((m) => !m.balanced);
      const on = g.members.filter((m) => m.balanced);
      if (off.length) {
        const why = off.map((m) => (arpbalance.get(m.host) === false ? `${m.host} (arpbalance is off there)` : m.host)).join(', ');
        out.push({
          kind: 'balance:mismatch',
          severity: 'error',
          group: g.key,
          hosts: g.members.map((m) => m.host),
          message: `${where}: ${on.map((m) => m.host).join(', ')} ${on.length === 1 ? 'balances' : 'balance'} vhid ${g.vhid} but ${why} ${off.length === 1 ? 'does' : 'do'} not: as its master, a host that does not balance answers ARP for every client and pulls them all to itself; set arpbalance on every member (apply the balanced set's file again)`,
        });
      }
      const lists = new Map<string, string[]>();
      for (const m of on) lists.set(list(m.balanced!), [...(lists.get(list(m.balanced!)) ?? []), m.host]);
      if (lists.size > 1) {
        out.push({
          kind: 'balance:mismatch',
          severity: 'error',
          group: g.key,
          hosts: on.map((m) => m.host),
          message: `${where}: the members of vhid ${g.vhid} balance over different vhids (${[...lists].map(([l, hs]) => `${hs.join(', ')}: ${l}`).join('; ')}), so they hash clients differently and some clients get two answers or none; give every member the same groups with the same addresses (apply the balanced set's file again)`,
        });
      }
    }

    // Other groups on the segment that share some, or all without balancing, of the set's addresses.
    const addrs = new Set(u.addresses);
    for (const g of segGroups) {
      if (mine.has(g.key)) continue;
      const shared = g.addresses.filter((a) => addrs.has(a));
      if (!shared.length) continue;
      const same = setOf(g.addresses) === setOf(u.addresses);
      if (same && isBalanced(g)) continue; // the same set: in this unit already
      // a pair of units that overlap is reported once, from one side
      const other = isBalanced(g) ? units.find((x) => x.groups.includes(g.key)) : undefined;
      const id = [u.key, other?.key ?? g.key].sort().join('|');
      if (reported.has(id)) continue;
      reported.add(id);
      out.push({
        kind: 'balance:mismatch',
        severity: 'error',
        group: g.key,
        hosts: [...new Set([...u.hosts.map((h) => h.host), ...g.members.map((m) => m.host)])].sort(),
        message: same
          ? `${where}: vhid ${g.vhid} carries the same addresses but none of its members balances it, so its master answers ARP for every client of ${shared.join(' ')}; add it to the balanced set (arpbalance on its members) or give it other addresses`
          : `${where}: vhid ${g.vhid} shares ${shared.join(' ')} but carries ${g.addresses.join(' ')}; balanced groups must list exactly the same addresses (and other groups none of them): give vhid ${g.vhid} the set's addresses or none of them`,
      });
    }
  }
  return out;
}
