// The config's top-level (host-wide) settings, apart from its groups: which ones an apply changes, and the
// groups a change of the host-wide `preempt` reaches (those without their own). Pure.
import type { AgentConfig } from '../config/schema.js';

/** Top-level keys (not `groups`) whose value differs between the two configs, sorted. */
export function hostSettingsChanged(before: AgentConfig, after: AgentConfig): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)].filter((k) => k !== 'groups'));
  const get = (c: AgentConfig, k: string) => JSON.stringify((c as Record<string, unknown>)[k]);
  return [...keys].filter((k) => get(before, k) !== get(after, k)).sort();
}

/** vhids of `after`'s groups whose effective preempt moves with the host-wide default (they set none of their own). */
export function preemptFollowers(before: AgentConfig, after: AgentConfig): number[] {
  if ((before.preempt ?? false) === (after.preempt ?? false)) return [];
  return after.groups.filter((g) => g.preempt === undefined).map((g) => g.vhid);
}
