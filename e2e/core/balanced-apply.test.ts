// A balanced set through the console, on real agents (lab 75): `applyGroup` with a balanced file puts
// vhids 1 and 2 on fw1 and fw2, each skewed toward its host, with arpbalance on; the fleet shows one
// unit split 50/50 and carpctl's status says so; a failing second apply is rolled back on both hosts,
// two groups each (the agent rolls back its last revisions in turn); deleting vhid 2 leaves a plain group.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleLab, closeConsoleLab, type ConsoleLab } from './console-lab.js';
import { waitFor } from '../wait.js';
import { formatStatus } from '../../electron/cli/format.js';
import type { BalancedSpecInput } from '../../electron/core/commands/balanced-spec.js';

const ID = 75;
const VIP = `198.18.${ID}.100/24`;
const SET: BalancedSpecInput = {
  name: 'lb',
  interface: 'eth0',
  addresses: [VIP],
  password: 'balanced-pass',
  preempt: true,
  balance: [
    { vhid: 1, members: [{ host: 'fw1', advskew: 0 }, { host: 'fw2', advskew: 100 }] },
    { vhid: 2, members: [{ host: 'fw1', advskew: 100 }, { host: 'fw2', advskew: 0 }] },
  ],
};

let x: ConsoleLab | undefined;
beforeAll(async () => {
  x = await consoleLab(ID, { deploy: true });
});
afterAll(async () => {
  await x?.lab.healAll().catch(() => undefined);
  await closeConsoleLab(x);
});

const unit = () => x!.c.fleetNow().balanced?.[0];

describe('a balanced set applied through the console to real agents', () => {
  it('puts one group per vhid on each member with arpbalance on; the fleet shows one unit split 50/50', async () => {
    const r = await x!.c.applyGroup(SET);
    expect(r.ok, r.summary).toBe(true);
    await waitFor(() => unit()?.hosts.every((h) => h.share === 0.5 && h.live) === true, 15_000, 'fw1 and fw2 each masters one vhid of the unit');
    const u = unit()!;
    expect(u).toMatchObject({ vhids: [1, 2], addresses: [VIP], unserved: [] });
    expect(u.hosts.map((h) => [h.host, h.masters, h.share])).toEqual([['fw1', [1], 0.5], ['fw2', [2], 0.5]]);
    expect(x!.c.fleetNow().hosts.filter((h) => h.host !== 'fw3').map((h) => h.arpbalance)).toEqual([true, true]);
    expect(x!.c.fleetNow().findings.filter((f) => f.kind.startsWith('balance:'))).toEqual([]);
    const text = formatStatus(x!.c.fleetNow());
    console.log(text.split('\n').filter((l) => l.includes('balanced')).join('\n'));
    expect(text).toMatch(new RegExp(`^${VIP.replaceAll('.', '\\.')} \\(lb\\) balanced over vhids 1, 2 on 198\\.18\\.${ID}\\.0/24: fw1 masters 1 \\(50 %\\), fw2 masters 2 \\(50 %\\)`, 'm'));
  });

  it('a change that fails on fw2 is rolled back on every host, whatever steps each had taken', async () => {
    const rows = () => x!.c.fleetNow().groups.flatMap((g) => g.members.map((m) => `${g.vhid}:${m.host}:${m.advskew}`)).sort();
    const before = rows();
    expect(before).toEqual(['1:fw1:0', '1:fw2:100', '2:fw1:100', '2:fw2:0']);
    const changed = { ...SET, balance: SET.balance.map((b) => ({ ...b, members: b.members.map((m) => ({ ...m, advskew: (m.advskew ?? 0) + 10 })) })) };
    // fw2 cannot write its config (read-only): its agent refuses the change, after fw1 may have taken both.
    await x!.lab.exec('fw2', 'mount --bind /etc/carp-agent /etc/carp-agent && mount -o remount,bind,ro /etc/carp-agent');
    try {
      const r = await x!.c.applyGroup(changed);
      console.log(`apply with fw2 read-only: ${r.summary}\n${r.hosts.map((h) => `  ${h.host} vhid ${h.vhid ?? '?'} ${h.action}: ${h.outcome}`).join('\n')}`);
      expect(r.ok).toBe(false);
      expect(r.hosts.filter((h) => h.outcome === 'rollback-failed')).toEqual([]);
      expect(r.hosts.filter((h) => h.host === 'fw1').every((h) => ['rolled-back', 'skipped', 'unchanged'].includes(h.outcome))).toBe(true);
    } finally {
      await x!.lab.exec('fw2', 'umount /etc/carp-agent');
    }
    await waitFor(() => rows().join() === before.join(), 10_000, 'every member as before');
  });

  it('deleting vhid 2 leaves vhid 1 as a plain group on both hosts', async () => {
    const r = await x!.c.deleteGroup(2);
    expect(r.ok, r.summary).toBe(true);
    await waitFor(() => x!.c.fleetNow().groups.length === 1 && !x!.c.fleetNow().balanced, 15_000, 'one plain group');
    const g = x!.c.fleetNow().groups[0];
    expect(g.members.map((m) => [m.host, m.balanced])).toEqual([['fw1', undefined], ['fw2', undefined]]);
    await waitFor(() => x!.c.fleetNow().groups[0].master === 'fw1', 15_000, 'fw1 MASTER of the plain vhid 1');
  });
});
