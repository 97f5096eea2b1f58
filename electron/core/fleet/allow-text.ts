// net.inet.carp.allow of a host in words, for carpctl and the Fleet screen: null while CARP runs there
// (or its agent is too old to say). Pure.
import type { HostView } from './types.js';

export interface AllowText {
  /** Short: "CARP off", "CARP turning off". */
  label: string;
  /** The sentence: what it means and how to undo it. */
  detail: string;
}

export function allowText(h: Pick<HostView, 'host' | 'allow'>): AllowText | null {
  const a = h.allow;
  if (!a || (a.allowed && !a.leaving)) return null;
  if (a.leaving) return { label: 'CARP turning off', detail: `${h.host} is handing over the groups it masters (allow off), then stops taking part in CARP` };
  return {
    label: 'CARP off',
    detail: `${h.host} takes no part in CARP (allow off${a.persistedOff ? ', kept across agent restarts' : ', until its agent restarts'}): it sends no adverts and holds no virtual address; \`carpctl allow ${h.host} on\` starts it again`,
  };
}
