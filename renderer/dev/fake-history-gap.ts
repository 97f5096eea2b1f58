// Dev harness only: an hour of made-up history with the console down for 15 minutes in the middle (a crash:
// no stop record, its last "alive" ends the data), for the look of the timeline's "console not running" band.
import type { HistoryRecord } from '../../electron/core/history/records.js';

export function fakeHistoryWithGap(end: number): HistoryRecord[] {
  const out: HistoryRecord[] = [];
  const start = end - 55 * 60_000;
  const groups = [
    { key: '198.18.0.0/24#1', name: 'lan-gateway', members: ['fw1', 'fw2', 'fw3'] },
    { key: '198.18.1.0/24#2', name: 'wan-uplink', members: ['fw1', 'fw2', 'fw3'] },
    { key: '198.18.2.0/24#10', name: 'dmz', members: ['fw4', 'fw5'] },
  ];
  const states = (t: number, masterOf: (g: (typeof groups)[number]) => string) => {
    for (const g of groups) {
      const m = masterOf(g);
      for (const h of g.members) out.push({ t, kind: 'state', host: h, group: g.key, name: g.name, state: h === m ? 'MASTER' : 'BACKUP' });
      out.push({ t, kind: 'master', group: g.key, masters: [m], was: [] });
    }
  };
  out.push({ t: start, kind: 'console', what: 'start' });
  states(start, (g) => g.members[0]);
  // a handover at +8 min: the dmz moves to fw5 (fw4 demoted by an operator)
  const d = start + 8 * 60_000;
  out.push({ t: d, kind: 'action', who: 'ops (web)', method: 'demote', args: 'demote("fw4","add",1)', ok: true, host: 'fw4' });
  out.push({ t: d + 100, kind: 'demotion', host: 'fw4', demote: 1, maintenance: false });
  out.push({ t: d + 400, kind: 'state', host: 'fw5', group: '198.18.2.0/24#10', state: 'MASTER', reason: 'more demoted master 198.18.2.4; own demote 0' });
  out.push({ t: d + 400, kind: 'master', group: '198.18.2.0/24#10', masters: ['fw5'], was: ['fw4'] });
  out.push({ t: d + 420, kind: 'state', host: 'fw4', group: '198.18.2.0/24#10', state: 'BACKUP' });
  // alive every minute until +19 min; then the console crashed (no stop record) and came back at +34 min
  for (let t = start + 60_000; t <= start + 19 * 60_000; t += 60_000) out.push({ t, kind: 'console', what: 'alive' });
  const back = start + 34 * 60_000;
  out.push({ t: back, kind: 'console', what: 'start' });
  // what it found on its return: wan-uplink had moved to fw2 meanwhile (recorded as first heard)
  states(back + 2000, (g) => (g.key === '198.18.1.0/24#2' ? 'fw2' : g.key === '198.18.2.0/24#10' ? 'fw5' : g.members[0]));
  for (let t = back + 60_000; t < end; t += 60_000) out.push({ t, kind: 'console', what: 'alive' });
  return out.sort((a, b) => a.t - b.t);
}
