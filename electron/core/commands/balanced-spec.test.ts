// A balanced set in one group file (`balance`): the issue's example (rachael vhid 1 advskew 0 / vhid 2
// advskew 100, pris the reverse, preempt on) read, validated with clear errors, planned as one group per
// vhid on each host with arpbalance on, applied in two phases to fake agents, and a single group unchanged.
import { describe, expect, it } from 'vitest';
import { BalancedSpecSchema, GroupFileSchema, balancedGroups, parseGroupFileText, type BalancedSpec } from './balanced-spec.js';
import { SpecError, memberConfig, parseGroupSpecText } from './group-spec.js';
import { balancedPasswordChecks, planBalancedApply } from './plan-balanced.js';
import { planGroupApply, planGroupDelete } from './plan.js';
import { twoPhaseApply, type CommandTarget } from './two-phase.js';
import { FakeNet } from '../testing/fake-agent.js';
import { buildFleet } from '../fleet/build-fleet.js';
import { formatBalanced } from '../../cli/format-balanced.js';
import { describeIssues } from '../../../agent/config/schema.js';

const YAML = `name: lan
interface: eth0
addresses: [198.18.0.100/24]
password: lab-secret
preempt: true
balance:
  - vhid: 1
    members:
      - {host: rachael, advskew: 0}
      - {host: pris, advskew: 100}
  - vhid: 2
    members:
      - {host: rachael, advskew: 100}
      - {host: pris, advskew: 0}
`;

const SET = {
  name: 'lan',
  interface: 'eth0',
  addresses: ['198.18.0.100/24'],
  password: 'lab-secret',
  preempt: true,
  balance: [
    { vhid: 1, members: [{ host: 'rachael', advskew: 0 }, { host: 'pris', advskew: 100 }] },
    { vhid: 2, members: [{ host: 'rachael', advskew: 100 }, { host: 'pris', advskew: 0 }] },
  ],
};

function world(hosts = ['rachael', 'pris']) {
  const net = new FakeNet();
  const agents = hosts.map((h) => net.add(h));
  const fleet = () => buildFleet(agents.map((a) => ({ host: a.host, status: 'live' as const, lastSeen: 1, snapshot: a.snapshot() })), 2);
  const targets = new Map<string, CommandTarget>(agents.map((a) => [a.host, { request: async (b) => a.execute({ id: 0, ...b }) }]));
  const plan = async (spec: BalancedSpec) => planBalancedApply(spec, fleet(), await balancedPasswordChecks(spec, new Map(agents.map((a) => [a.host, a.snapshot()]))));
  return { agents, fleet, targets, plan };
}

function problems(data: unknown): string[] {
  try {
    parseGroupFileText(JSON.stringify(data), 'lan.json');
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return (e as SpecError).problems;
  }
  return [];
}

describe('balanced set file', () => {
  it("reads the issue's example (YAML = JSON): one group per vhid, each host's config skewed toward it", () => {
    const spec = parseGroupFileText(YAML, 'lan.yaml');
    expect(spec).toEqual(parseGroupFileText(JSON.stringify(SET)));
    if (!('balance' in spec)) throw new Error('not read as a balanced set');
    const configs = balancedGroups(spec).flatMap((g) => g.members.map((m) => [m.host, memberConfig(g, m)] as const));
    const base = { name: 'lan', interface: 'eth0', addresses: ['198.18.0.100/24'], password: 'lab-secret', advbase: 1, preempt: true, neutral: false };
    expect(configs).toEqual([
      ['rachael', { ...base, vhid: 1, advskew: 0 }],
      ['pris', { ...base, vhid: 1, advskew: 100 }],
      ['rachael', { ...base, vhid: 2, advskew: 100 }],
      ['pris', { ...base, vhid: 2, advskew: 0 }],
    ]);
  });

  it('refuses with clear errors: one vhid, the same vhid twice, a member missing from a vhid, a bad member', () => {
    expect(problems({ ...SET, balance: [SET.balance[0]] })).toEqual(['balance: a balanced set needs at least 2 vhids sharing the addresses (one per host, each skewed toward its host)']);
    expect(problems({ ...SET, balance: [SET.balance[0], { ...SET.balance[1], vhid: 1 }] })).toEqual(['balance[1].vhid: vhid 1 is already balance[0]; each vhid of a balanced set must be distinct']);
    expect(problems({ ...SET, balance: [SET.balance[0], { vhid: 2, members: [{ host: 'pris', advskew: 0 }] }] })).toEqual([
      "balance[1].members: vhid 2 leaves out rachael: every member host must be in every vhid of a balanced set (each takes over the others' clients when they fail); add it with a higher advskew",
    ]);
    const bad = problems({ ...SET, advbase: 0, balance: [SET.balance[0], { vhid: 2, members: [{ host: 'rachael', advskew: 100 }, { host: 'pris', advskew: 0 }, { host: 'pris', advskew: 5 }] }] });
    expect(bad).toContain('balance[0].members[0].advskew: advbase 0 needs advskew 1..254: the advert interval is advskew/256 s, and 0 would be no interval at all');
    expect(bad).toContain('balance[1].members[2].host: pris is listed twice; list each host once');
    // a key of the single group where it does not belong is named
    expect(problems({ ...SET, vhid: 3 })).toEqual([expect.stringMatching(/^\(top level\): Unrecognized key: "vhid"/)]);
  });

  it('the contract takes either file and names the fields of the right one', () => {
    expect(GroupFileSchema.safeParse(SET).success).toBe(true);
    const single = { vhid: 42, interface: 'eth0', addresses: ['198.18.0.100/24'], password: 'x', members: [{ host: 'fw1', advskew: 0 }] };
    expect(GroupFileSchema.parse(single)).toEqual(parseGroupSpecText(JSON.stringify(single)));
    const r = GroupFileSchema.safeParse({ ...SET, balance: [SET.balance[0]] });
    expect(r.success ? [] : describeIssues(r.error)).toEqual(['balance: a balanced set needs at least 2 vhids sharing the addresses (one per host, each skewed toward its host)']);
    const s = GroupFileSchema.safeParse({ ...single, vhid: 300 });
    expect(s.success ? [] : describeIssues(s.error)).toEqual(['vhid: must be 1..255']);
    expect(BalancedSpecSchema.safeParse(SET).success).toBe(true);
  });
});

describe('planBalancedApply', () => {
  it('creates one group per vhid on each host, each putGroup with arpbalance, and previews it', async () => {
    const { plan } = world();
    const spec = parseGroupFileText(YAML) as BalancedSpec;
    const p = await plan(spec);
    expect(p.errors).toEqual([]);
    expect(p.warnings).toEqual([]);
    expect(p.vhids).toEqual([1, 2]);
    expect(p.steps.map((s) => [s.host, s.vhid, s.action, s.command?.cmd === 'putGroup' && s.command.arpbalance, s.command?.cmd === 'putGroup' && s.command.group.advskew])).toEqual([
      ['rachael', 1, 'create', true, 0],
      ['pris', 1, 'create', true, 100],
      ['rachael', 2, 'create', true, 100],
      ['pris', 2, 'create', true, 0],
    ]);
    // the fake agents report no arpbalance yet: the first step of each host says it turns on
    expect(p.steps[0].fields[0]).toEqual({ field: 'arpbalance', before: '(not reported)', after: 'on' });
    expect(p.preview.split('\n')).toEqual([
      'balanced set lan on eth0: 198.18.0.100/24 over vhids 1, 2 (arpbalance on every member)',
      '  vhid 1:',
      '    rachael: create  advbase 1 advskew 0 preempt  198.18.0.100/24, arpbalance (not reported) -> on',
      '    pris: create  advbase 1 advskew 100 preempt  198.18.0.100/24, arpbalance (not reported) -> on',
      '  vhid 2:',
      '    rachael: create  advbase 1 advskew 100 preempt  198.18.0.100/24',
      '    pris: create  advbase 1 advskew 0 preempt  198.18.0.100/24',
    ]);
  });

  it('applied in two phases: each agent runs both vhids with arpbalance, the fleet shows one unit split 50/50, a second plan changes nothing', async () => {
    const { agents, fleet, targets, plan } = world();
    const spec = parseGroupFileText(YAML) as BalancedSpec;
    const dry = await twoPhaseApply(await plan(spec), targets, { dryRun: true });
    expect(dry).toMatchObject({ ok: true, dryRun: true });
    expect(agents.every((a) => a.configs().length === 0 && !a.arpbalance)).toBe(true);
    const r = await twoPhaseApply(await plan(spec), targets);
    expect(r.ok).toBe(true);
    expect(r.hosts.map((h) => [h.host, h.vhid, h.outcome])).toEqual([
      ['rachael', 1, 'applied'],
      ['pris', 1, 'applied'],
      ['rachael', 2, 'applied'],
      ['pris', 2, 'applied'],
    ]);
    expect(agents.map((a) => [a.host, a.arpbalance, a.configs().map((c) => [c.vhid, c.advskew, c.preempt])])).toEqual([
      ['rachael', true, [[1, 0, true], [2, 100, true]]],
      ['pris', true, [[1, 100, true], [2, 0, true]]],
    ]);
    const f = fleet();
    expect(f.groups.map((g) => [g.vhid, g.master])).toEqual([[1, 'rachael'], [2, 'pris']]);
    expect(formatBalanced(f.balanced![0])).toBe('198.18.0.100/24 (lan) balanced over vhids 1, 2 on 198.18.0.0/24: pris masters 2 (50 %), rachael masters 1 (50 %)');
    expect(f.findings).toEqual([]);
    const again = await plan(spec);
    expect(again.steps.map((s) => s.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    // deleting one vhid of the set says where its clients go
    const del = planGroupDelete(2, f);
    expect(del.steps.map((s) => [s.host, s.action])).toEqual([['pris', 'delete'], ['rachael', 'delete']]);
    expect(del.warnings).toEqual(['vhid 2 is one of the balanced set 1, 2 (198.18.0.100/24 on 198.18.0.0/24): its clients move to vhid 1, which then serves every client as a plain group; delete each vhid of the set to remove it']);
    expect(del.preview).toContain('warning: vhid 2 is one of the balanced set 1, 2');
  });

  it('a host whose groups are right but that does not balance gets arpbalance with its first group', async () => {
    const { agents, targets, plan } = world();
    const spec = parseGroupFileText(YAML) as BalancedSpec;
    await twoPhaseApply(await plan(spec), targets);
    agents[1].arpbalance = false;
    const p = await plan(spec);
    expect(p.steps.map((s) => [s.host, s.vhid, s.action, s.changes])).toEqual([
      ['rachael', 1, 'unchanged', []],
      ['pris', 1, 'update', ['arpbalance off -> on']],
      ['rachael', 2, 'unchanged', []],
      ['pris', 2, 'unchanged', []],
    ]);
    expect(p.steps[1].command).toEqual({ cmd: 'putGroup', group: memberConfig(balancedGroups(spec)[0], balancedGroups(spec)[0].members[1]), arpbalance: true });
  });

  it('warns about a host preferred in no vhid and members without preempt; refuses unknown hosts once', async () => {
    const { plan } = world(['rachael', 'pris']);
    const lopsided = parseGroupFileText(JSON.stringify({ ...SET, preempt: undefined, balance: [SET.balance[0], { vhid: 2, members: [{ host: 'rachael', advskew: 10 }, { host: 'pris', advskew: 50, preempt: true }] }] })) as BalancedSpec;
    const p = await plan(lopsided);
    expect(p.warnings).toEqual([
      'pris has the lowest advskew in no vhid, so it serves no client while the other hosts are up; skew one vhid toward it (advskew 0 there, higher elsewhere)',
      'vhid 1: preempt is off for rachael, pris; without it a host that comes back does not take its vhid back and the split stays uneven: set "preempt": true',
      'vhid 2: preempt is off for rachael; without it a host that comes back does not take its vhid back and the split stays uneven: set "preempt": true',
    ]);
    const withStranger = parseGroupFileText(JSON.stringify({ ...SET, balance: SET.balance.map((b) => ({ ...b, members: [...b.members, { host: 'zhora', advskew: 200 }] })) })) as BalancedSpec;
    expect((await plan(withStranger)).errors).toEqual(['zhora is not in the inventory (known: pris, rachael)']);
  });

  it('warns about a group outside the file that carries the set\'s address on a member', async () => {
    const { agents, plan } = world();
    agents[0].execute({ id: 0, cmd: 'putGroup', group: { vhid: 7, interface: 'eth0', addresses: ['198.18.0.100/24'], password: 'x', advbase: 1, advskew: 0, neutral: false } });
    const p = await plan(parseGroupFileText(YAML) as BalancedSpec);
    expect(p.warnings).toEqual([
      'vhid 7 on rachael also carries 198.18.0.100/24 and is not in this file: with arpbalance those hosts balance over it too (or refuse it if its addresses differ); delete it (carpctl group delete 7) or add it to the file',
    ]);
  });

  it('a single group file is read and planned exactly as before (no vhid on its steps, no arpbalance)', () => {
    const { fleet } = world(['fw1', 'fw2']);
    const text = 'vhid: 42\ninterface: eth0\naddresses: [198.18.0.100/24]\npassword: lab-secret\nmembers:\n  - {host: fw1, advskew: 0}\n  - {host: fw2, advskew: 100}\n';
    const viaFile = parseGroupFileText(text);
    expect(viaFile).toEqual(parseGroupSpecText(text));
    if ('balance' in viaFile) throw new Error('read as a balanced set');
    const p = planGroupApply(viaFile, fleet());
    expect(p.vhids).toBeUndefined();
    expect(p.steps.map((s) => [s.host, s.action, 'vhid' in s, s.command && 'arpbalance' in s.command])).toEqual([
      ['fw1', 'create', false, false],
      ['fw2', 'create', false, false],
    ]);
  });
});
