// Keeps a host's snapshot current between snapshots: applies one agent event to it (pure).
import type { AgentEvent, Snapshot } from '../../../agent/control/messages.js';

/** Returns the snapshot with the event applied; 'config' and 'error' events leave it as is (resync by `status`). */
export function applyAgentEvent(s: Snapshot, e: AgentEvent): Snapshot {
  switch (e.kind) {
    case 'state':
      return {
        ...s,
        groups: s.groups.map((g) => (g.vhid === e.vhid && g.interface === e.interface ? { ...g, state: e.to, since: e.at } : g)),
      };
    case 'group': {
      const i = s.groups.findIndex((g) => g.vhid === e.group.vhid && g.interface === e.group.interface);
      const groups = [...s.groups];
      if (i >= 0) groups[i] = e.group;
      else groups.push(e.group);
      return { ...s, groups };
    }
    case 'demotion':
      return { ...s, demote: e.demote, maintenance: e.maintenance, ...(e.linkDemotion ? { linkDemotion: e.linkDemotion } : {}), ...(e.allow ? { allow: e.allow } : {}) };
    case 'interfaces':
      return { ...s, interfaces: e.interfaces };
    case 'foreign':
      return { ...s, foreign: e.foreign };
    case 'config':
    case 'error':
      return s;
  }
}
