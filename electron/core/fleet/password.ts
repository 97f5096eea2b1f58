// Whether a group's members use the same password, from the check values their agents report
// (agent/config/password-check.ts). The values are compared here and go no further: the fleet, findings,
// events, carpctl and the UI carry only 'same' | 'differs' | 'unknown'.
import type { AgentEvent, GroupStatus } from '../../../agent/control/messages.js';

/**
 * 'same': as the group's other members (those with the same address set); 'differs': not; 'unknown':
 * cannot be told (the agent has not derived its value yet, an older agent, or no member to compare with).
 */
export type PasswordAgreement = 'same' | 'differs' | 'unknown';

/**
 * One verdict per member, in order. The check value is salted with the address set, so members are
 * compared only with those of the same set (a different set is the addresses finding, not this one).
 * Among those, the value most of them share is 'same' and the others 'differ'; with no majority
 * (one against one), every known member 'differs'.
 */
export function passwordAgreement(members: ReadonlyArray<{ check: string | undefined; addresses: readonly string[] }>): PasswordAgreement[] {
  const out: PasswordAgreement[] = members.map(() => 'unknown');
  const bySet = new Map<string, number[]>();
  members.forEach((m, i) => {
    if (m.check === undefined) return;
    const id = [...m.addresses].sort().join(',');
    bySet.set(id, [...(bySet.get(id) ?? []), i]);
  });
  for (const idx of bySet.values()) {
    if (idx.length < 2) continue;
    const counts = new Map<string, number>();
    for (const i of idx) counts.set(members[i].check!, (counts.get(members[i].check!) ?? 0) + 1);
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const majority = ranked.length === 1 || ranked[0][1] > ranked[1][1] ? ranked[0][0] : undefined;
    for (const i of idx) out[i] = members[i].check === majority ? 'same' : 'differs';
  }
  return out;
}

/** A group's status without its password check value: what may leave the console core. */
export function withoutPasswordCheck(g: GroupStatus): GroupStatus {
  const { passwordCheck: _omit, ...rest } = g;
  return rest;
}

/** An agent's event as the console relays it to subscribers: a group's check value removed. */
export function redactAgentEvent(e: AgentEvent): AgentEvent {
  return e.kind === 'group' ? { ...e, group: withoutPasswordCheck(e.group) } : e;
}

/** Compares a member's reported check value with the one the console derived for the wanted password. */
export function comparePassword(reported: string | undefined, wanted: string | undefined): PasswordAgreement {
  if (reported === undefined || wanted === undefined) return 'unknown';
  return reported === wanted ? 'same' : 'differs';
}
