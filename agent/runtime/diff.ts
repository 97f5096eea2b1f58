// Pure diff of two configs by (interface, vhid): which groups were added, removed, changed softly
// (advskew/advbase/preempt/hooks: keep running) or hard (addresses/password/srcip: restart).
import type { AgentConfig, GroupConfig } from '../config/schema.js';

export const groupKey = (g: { interface: string; vhid: number }): string => `${g.interface}/${g.vhid}`;

const HARD_FIELDS: (keyof GroupConfig)[] = ['addresses', 'password', 'srcip'];

export interface ConfigDiff {
  added: GroupConfig[];
  removed: GroupConfig[];
  /** Same group, only parameters that a running engine can take (advskew, advbase, preempt, hooks, name). */
  soft: { before: GroupConfig; after: GroupConfig }[];
  /** Same group, addresses/password/srcip changed: the group restarts. */
  hard: { before: GroupConfig; after: GroupConfig }[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function normalise(g: GroupConfig): GroupConfig {
  return { ...g, addresses: [...g.addresses].sort() };
}

export function diffConfigs(before: AgentConfig, after: AgentConfig): ConfigDiff {
  const old = new Map(before.groups.map((g) => [groupKey(g), g]));
  const neu = new Map(after.groups.map((g) => [groupKey(g), g]));
  const d: ConfigDiff = { added: [], removed: [], soft: [], hard: [] };
  for (const [k, g] of neu) {
    const o = old.get(k);
    if (!o) d.added.push(g);
    else if (!same(normalise(o), normalise(g))) {
      const hard = HARD_FIELDS.some((f) => !same(f === 'addresses' ? [...o.addresses].sort() : o[f], f === 'addresses' ? [...g.addresses].sort() : g[f]));
      (hard ? d.hard : d.soft).push({ before: o, after: g });
    }
  }
  for (const [k, g] of old) if (!neu.has(k)) d.removed.push(g);
  return d;
}

/** vhid lists for ApplyResult / config events. */
export function summarise(d: ConfigDiff): { added: number[]; removed: number[]; changed: number[] } {
  return {
    added: d.added.map((g) => g.vhid),
    removed: d.removed.map((g) => g.vhid),
    changed: [...d.soft, ...d.hard].map((c) => c.after.vhid),
  };
}
