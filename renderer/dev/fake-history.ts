// Dev harness only: a day of made-up history (8 hosts, 5 groups: 40 lanes) for the timeline's look,
// with maintenance handovers, preempts, a lost master with its outage, operator actions and demotion.
import type { HistoryRecord } from '../../electron/core/history/records.js';

export function fakeHistory(end: number): HistoryRecord[] {
  const out: HistoryRecord[] = [];
  const start = end - 23 * 3600_000; // inside the 1-day window (the fake, unlike the core, gives no state from before it)
  const hosts = ['fw1', 'fw2', 'fw3', 'fw4', 'fw5', 'fw6', 'fw7', 'fw8'];
  const groups = [
    { key: '198.18.0.0/24#1', name: 'lan-gateway', members: ['fw1', 'fw2', 'fw3'] },
    { key: '198.18.1.0/24#2', name: 'wan-uplink', members: ['fw1', 'fw2', 'fw3'] },
    { key: '198.18.2.0/24#10', name: 'dmz', members: ['fw4', 'fw5'] },
    { key: '198.18.3.0/24#20', name: 'voice', members: ['fw6', 'fw7', 'fw8'] },
    { key: '198.18.4.0/24#30', name: 'storage', members: ['fw5', 'fw6', 'fw7', 'fw8'] },
  ];
  out.push({ t: start, kind: 'console', what: 'start' });
  for (const g of groups) {
    g.members.forEach((h, i) => out.push({ t: start, kind: 'state', host: h, group: g.key, name: g.name, state: i === 0 ? 'MASTER' : 'BACKUP' }));
    out.push({ t: start, kind: 'master', group: g.key, masters: [g.members[0]], was: [] });
  }
  // fw1 maintenance at 02:00 for 20 min: both its groups go to fw3, then back (preempt)
  const m = start + 2 * 3600_000;
  out.push({ t: m, kind: 'action', who: 'ops (desktop)', method: 'maintenanceEnter', args: 'maintenanceEnter("fw1",{"reboot":true})', ok: true, host: 'fw1' });
  out.push({ t: m + 200, kind: 'demotion', host: 'fw1', demote: 255, maintenance: true });
  for (const g of groups.slice(0, 2)) {
    out.push({ t: m + 900, kind: 'state', host: 'fw3', group: g.key, state: 'MASTER', reason: 'master 198.18.0.1 bowed out (advbase 255, advskew 255)' });
    out.push({ t: m + 900, kind: 'master', group: g.key, masters: ['fw3'], was: ['fw1'] });
    out.push({ t: m + 950, kind: 'state', host: 'fw1', group: g.key, state: 'BACKUP', reason: 'maintenance: successor 198.18.0.3 heard' });
    out.push({ t: m + 60_000, kind: 'state', host: 'fw1', group: g.key, state: 'UNKNOWN' });
    out.push({ t: m + 140_000, kind: 'state', host: 'fw1', group: g.key, state: 'BACKUP' });
  }
  const back = m + 20 * 60_000;
  out.push({ t: back, kind: 'demotion', host: 'fw1', demote: 0, maintenance: false });
  for (const g of groups.slice(0, 2)) {
    out.push({ t: back + 300, kind: 'state', host: 'fw1', group: g.key, state: 'MASTER', reason: 'preempting less preferred master 198.18.0.3' });
    out.push({ t: back + 300, kind: 'master', group: g.key, masters: ['fw1'], was: ['fw3'] });
    out.push({ t: back + 320, kind: 'state', host: 'fw3', group: g.key, state: 'BACKUP', reason: 'preferred master 198.18.0.1' });
  }
  // fw4 lost at 09:30 (power): dmz without a master for 3.4 s until fw5 takes over; back 40 min later
  const lost = start + 9.5 * 3600_000;
  out.push({ t: lost, kind: 'state', host: 'fw4', group: '198.18.2.0/24#10', state: 'UNKNOWN' });
  out.push({ t: lost, kind: 'master', group: '198.18.2.0/24#10', masters: [], was: ['fw4'] });
  out.push({ t: lost, kind: 'finding', raised: true, finding: 'no-master', severity: 'error', group: '198.18.2.0/24#10', hosts: ['fw5'], message: 'no live member is MASTER' });
  out.push({ t: lost + 3400, kind: 'state', host: 'fw5', group: '198.18.2.0/24#10', state: 'MASTER', reason: 'master down timer expired (3.40 s without adverts)' });
  out.push({ t: lost + 3400, kind: 'master', group: '198.18.2.0/24#10', masters: ['fw5'], was: [] });
  out.push({ t: lost + 40 * 60_000, kind: 'state', host: 'fw4', group: '198.18.2.0/24#10', state: 'BACKUP' });
  // an operator demotes fw6 at 15:00: voice and storage move to fw7 / fw5; reset at 15:30
  const d = start + 15 * 3600_000;
  out.push({ t: d, kind: 'action', who: 'ops (web)', method: 'demote', args: 'demote("fw6","add",1)', ok: true, host: 'fw6' });
  out.push({ t: d + 100, kind: 'demotion', host: 'fw6', demote: 1, maintenance: false });
  out.push({ t: d + 400, kind: 'state', host: 'fw7', group: '198.18.3.0/24#20', state: 'MASTER', reason: 'more demoted master 198.18.3.6; own demote 0' });
  out.push({ t: d + 400, kind: 'master', group: '198.18.3.0/24#20', masters: ['fw7'], was: ['fw6'] });
  out.push({ t: d + 420, kind: 'state', host: 'fw6', group: '198.18.3.0/24#20', state: 'BACKUP' });
  out.push({ t: d + 30 * 60_000, kind: 'action', who: 'ops (web)', method: 'demote', args: 'demote("fw6","set",0)', ok: true, host: 'fw6' });
  out.push({ t: d + 30 * 60_000 + 100, kind: 'demotion', host: 'fw6', demote: 0, maintenance: false });
  void hosts;
  return out.sort((a, b) => a.t - b.t);
}
