// carpctl's line for a balanced unit (arpbalance): one address served by several groups, with each host's
// share of the clients: "198.18.0.100/24 balanced over vhids 1, 2: fw1 masters 1 (50 %), fw2 masters 2 (50 %)".
import type { BalancedUnit } from '../core/fleet/types.js';

/** A fraction of the clients as a percentage: whole where exact, else one decimal ("33.3 %"). */
export function percent(share: number): string {
  const p = share * 100;
  return `${Number.isInteger(p) ? p : p.toFixed(1)} %`;
}

export function formatBalanced(u: BalancedUnit): string {
  const parts = u.hosts.map((h) => {
    const down = h.live ? '' : ' (not live)';
    return h.masters.length ? `${h.host} masters ${h.masters.join(', ')} (${percent(h.share)})${down}` : `${h.host} serves nothing${down}`;
  });
  const unserved = u.unserved.length ? `; no master for ${u.unserved.join(', ')}: ${percent(u.unserved.length / u.vhids.length)} of the clients get no answer` : '';
  return `${u.addresses.join(' ')}${u.name ? ` (${u.name})` : ''} balanced over vhids ${u.vhids.join(', ')} on ${u.segment}: ${parts.join(', ')}${unserved}`;
}
