// Human output of `carp-agent status`, in the style of `ifconfig carp`, and what `status --json` prints.
import type { Snapshot, GroupStatus, AllowStatus } from '../control/messages.js';

function groupLine(g: GroupStatus): string {
  const wire = g.wireAdvskew !== g.advskew || g.wireAdvbase !== g.advbase ? ` (on the wire advbase ${g.wireAdvbase} advskew ${g.wireAdvskew})` : '';
  return `${g.interface} vhid ${g.vhid} ${g.state} advbase ${g.advbase} advskew ${g.advskew} demote ${g.demote}${g.preempt ? ' preempt' : ''}${g.balanced ? ` balanced over vhids ${g.balanced.join(',')}` : ''}${wire}  ${g.addresses.join(' ')}`;
}

export function formatStatus(s: Snapshot, now = Date.now()): string {
  const lines = [
    `carp-agent ${s.agent.version} on ${s.agent.hostname} (pid ${s.agent.pid}), config ${s.agent.configPath} revision ${s.agent.configRevision}`,
    `demote ${s.demote}, maintenance ${s.maintenance ? 'ON' : 'off'}${s.allow ? `, ${describeAllow(s.allow)}` : ''}${s.log !== undefined ? `, log ${s.log}` : ''}${s.arpbalance ? ', arpbalance on' : ''}`,
  ];
  // OpenBSD's link demotion, apart from the operator's counter: the wire carries their sum.
  if (s.linkDemotion && s.linkDemotion.demote > 0) {
    lines.push(`link demotion ${s.linkDemotion.demote} (down: ${s.linkDemotion.down.join(', ')}): groups advertise demote ${Math.min(255, s.demote + s.linkDemotion.demote)}`);
  }
  if (s.groups.length === 0) lines.push('no groups configured');
  for (const g of s.groups) {
    lines.push(groupLine(g));
    const since = Math.round((now - g.since) / 1000);
    const last = g.lastAdvert ? `, last advert from ${g.lastAdvert.from} (advbase ${g.lastAdvert.advbase} advskew ${g.lastAdvert.advskew} demote ${g.lastAdvert.demote}) ${Math.round((now - g.lastAdvert.at) / 1000)} s ago` : '';
    lines.push(`    ${g.state} for ${since} s, src ${g.srcip || '?'} on ${g.segment || '?'}, sent ${g.sent}, received ${g.received}${last}`);
    const drops = Object.entries(g.drops).filter(([, n]) => n > 0);
    if (drops.length) lines.push(`    dropped: ${drops.map(([r, n]) => `${r} ${n}`).join(', ')}`);
  }
  const un = Object.entries(s.unmatchedDrops).filter(([, n]) => n > 0);
  if (un.length) lines.push(`dropped (no matching group): ${un.map(([r, n]) => `${r} ${n}`).join(', ')}`);
  return lines.join('\n');
}

/**
 * What `carp-agent status --json` prints: the snapshot without the groups' password check values
 * (the console reads those over `attach`; an operator's paste into a ticket should not carry them).
 */
export function statusJson(s: Snapshot): Snapshot {
  return { ...s, groups: s.groups.map(({ passwordCheck: _omit, ...g }) => g) };
}

/** net.inet.carp.allow in words: "allow on", "allow OFF (CARP stopped; kept across restarts)", "allow: turning off (handing over)". */
export function describeAllow(a: AllowStatus): string {
  if (a.leaving) return 'allow: turning OFF (handing over where master)';
  if (a.allowed) return 'allow on';
  return `allow OFF (CARP stopped${a.persistedOff ? '; kept across restarts' : ' until `allow on` or a restart'})`;
}
