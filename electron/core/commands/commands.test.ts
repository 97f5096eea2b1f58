// Unit tests: group spec parsing, pure planning with diff preview, and the two-phase apply
// against fake agents (the real agents are exercised in e2e/core/apply.test.ts).
import { describe, expect, it } from 'vitest';
import { parseGroupSpecText, SpecError, memberConfig } from './group-spec.js';
import { passwordChecksFor, planGroupApply, planGroupDelete } from './plan.js';
import type { GroupSpec } from './group-spec.js';
import { twoPhaseApply, type CommandTarget } from './two-phase.js';
import { FakeNet, type FakeAgent } from '../testing/fake-agent.js';
import { buildFleet } from '../fleet/build-fleet.js';

const SPEC = {
  vhid: 42,
  interface: 'eth0',
  addresses: ['198.18.0.100/24'],
  password: 'lab-secret',
  advbase: 1,
  members: [
    { host: 'fw1', advskew: 0, preempt: true },
    { host: 'fw2', advskew: 100, preempt: true },
    { host: 'fw3', advskew: 50, preempt: true },
  ],
};

function world() {
  const net = new FakeNet();
  const agents = ['fw1', 'fw2', 'fw3'].map((h) => net.add(h));
  const fleet = () => buildFleet(agents.map((a) => ({ host: a.host, status: 'live' as const, lastSeen: 1, snapshot: a.snapshot() })), 2);
  const targets = new Map<string, CommandTarget>(agents.map((a) => [a.host, { request: async (b) => a.execute({ id: 0, ...b }) }]));
  const checks = (spec: GroupSpec) => passwordChecksFor(spec, new Map(agents.map((a) => [a.host, a.snapshot()])));
  /** Plans against the fleet with the agents' password check values, as the console does. */
  const plan = async (spec: GroupSpec) => planGroupApply(spec, fleet(), await checks(spec));
  return { net, agents, fleet, targets, checks, plan };
}

function configsOf(agents: FakeAgent[]) {
  return agents.map((a) => JSON.stringify(a.configs()));
}

describe('group spec', () => {
  it('reads the README example as JSON and the same group as YAML', () => {
    const j = parseGroupSpecText(JSON.stringify(SPEC));
    const y = parseGroupSpecText(`vhid: 42\ninterface: eth0\naddresses: [198.18.0.100/24]\npassword: lab-secret\nmembers:\n  - {host: fw1, advskew: 0, preempt: true}\n  - {host: fw2, advskew: 100, preempt: true}\n  - {host: fw3, advskew: 50, preempt: true}\n`);
    expect(y).toEqual(j);
    expect(memberConfig(j, j.members[1])).toEqual({ vhid: 42, interface: 'eth0', addresses: ['198.18.0.100/24'], password: 'lab-secret', advbase: 1, advskew: 100, preempt: true, neutral: false });
  });

  it('names every bad field', () => {
    const bad = { ...SPEC, vhid: 300, password: 'x'.repeat(20), members: [{ host: 'fw1' }, { host: 'fw1', advskew: 255 }] };
    let err: SpecError | undefined;
    try {
      parseGroupSpecText(JSON.stringify(bad), 'g.json');
    } catch (e) {
      err = e as SpecError;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect(err!.problems.join('\n')).toMatch(/vhid: must be 1..255/);
    expect(err!.problems.join('\n')).toMatch(/password: is longer than 19 bytes/);
    expect(err!.problems.join('\n')).toMatch(/members\[1\]\.advskew/);
    expect(err!.problems.join('\n')).toMatch(/members\[1\]\.host: fw1 is listed twice/);
    expect(() => parseGroupSpecText('vhid: [', 'g.yaml')).toThrow(/neither valid JSON nor YAML/);
  });
});

describe('planGroupApply', () => {
  it('creates on every member and previews it', () => {
    const { fleet } = world();
    const p = planGroupApply(parseGroupSpecText(JSON.stringify(SPEC)), fleet());
    expect(p.errors).toEqual([]);
    expect(p.steps.map((s) => [s.host, s.action])).toEqual([['fw1', 'create'], ['fw2', 'create'], ['fw3', 'create']]);
    expect(p.preview).toContain('fw2: create  advbase 1 advskew 100 preempt  198.18.0.100/24');
  });

  it('diffs edits, leaves equal members alone and deletes hosts no longer listed', async () => {
    const { fleet, targets, agents, checks } = world();
    const spec = parseGroupSpecText(JSON.stringify(SPEC));
    expect((await twoPhaseApply(planGroupApply(spec, fleet()), targets)).ok).toBe(true);
    const edited = parseGroupSpecText(JSON.stringify({ ...SPEC, addresses: ['198.18.0.100/24', '198.18.0.101/24'], members: [SPEC.members[0], { host: 'fw2', advskew: 20, preempt: true }] }));
    const p = planGroupApply(edited, fleet(), await checks(edited));
    expect(p.steps.map((s) => [s.host, s.action, s.changes])).toEqual([
      ['fw1', 'update', ['+ 198.18.0.101/24']],
      ['fw2', 'update', ['advskew 100 -> 20', '+ 198.18.0.101/24']],
      ['fw3', 'delete', ['remove vhid 42 (not a member any more)']],
    ]);
    const same = planGroupApply(spec, fleet(), await checks(spec));
    expect(same.steps.every((s) => s.action === 'unchanged')).toBe(true);
    const newPw = parseGroupSpecText(JSON.stringify({ ...SPEC, password: 'new' }));
    const pw = planGroupApply(newPw, fleet(), await checks(newPw));
    expect(pw.steps[0].changes).toEqual(['password changes']);
    expect(pw.steps[0].fields).toContainEqual({ field: 'password', before: '(current)', after: '(changed)' });
    // without the agents' check values nothing is claimed: the password is sent, marked as not compared
    const blind = planGroupApply(spec, fleet());
    expect(blind.steps.map((s) => s.changes)).toEqual([0, 1, 2].map(() => [expect.stringMatching(/^password sent \(not compared/)]));
    expect(agents[0].configs()).toHaveLength(1);
  });

  it('refuses unknown or unreachable members and warns about equal keys', () => {
    const { agents } = world();
    const fleet = buildFleet([{ host: 'fw1', status: 'live', lastSeen: 1, snapshot: agents[0].snapshot() }, { host: 'fw2', status: 'unreachable', lastSeen: 0, error: 'timeout' }], 1);
    const spec = parseGroupSpecText(JSON.stringify({ ...SPEC, members: [{ host: 'fw1' }, { host: 'fw2' }, { host: 'fw9' }] }));
    const p = planGroupApply(spec, fleet);
    expect(p.errors).toEqual(['fw2 is unreachable (timeout): every member must be reachable to apply in two phases', 'fw9 is not in the inventory (known: fw1, fw2)']);
    expect(p.warnings[0]).toMatch(/fw1 and fw2 and fw9 have the same advbase and advskew/);
  });

  it('plans a delete on every host running the vhid', async () => {
    const { fleet, targets } = world();
    await twoPhaseApply(planGroupApply(parseGroupSpecText(JSON.stringify(SPEC)), fleet()), targets);
    expect(planGroupDelete(42, fleet()).steps.map((s) => [s.host, s.action])).toEqual([['fw1', 'delete'], ['fw2', 'delete'], ['fw3', 'delete']]);
    expect(planGroupDelete(7, fleet()).errors).toEqual(['no host runs vhid 7']);
  });
});

describe('twoPhaseApply', () => {
  it('applies everywhere after every host validated, master last', async () => {
    const { fleet, targets, agents } = world();
    const steps: string[] = [];
    const r = await twoPhaseApply(planGroupApply(parseGroupSpecText(JSON.stringify(SPEC)), fleet()), targets, { masters: ['fw1'], onProgress: (p) => steps.push(`${p.host ?? '*'} ${p.step}`) });
    expect(r).toMatchObject({ ok: true, phase: 'done' });
    expect(r.hosts.map((h) => h.outcome)).toEqual(['applied', 'applied', 'applied']);
    expect(steps.filter((s) => s.endsWith(' apply'))).toEqual(['fw2 apply', 'fw3 apply', 'fw1 apply']);
    expect(agents.map((a) => a.received.map((c) => ('dryRun' in c && c.dryRun ? 'dry' : c.cmd)))).toEqual([['dry', 'putGroup'], ['dry', 'putGroup'], ['dry', 'putGroup']]);
    expect(buildFleet(agents.map((a) => ({ host: a.host, status: 'live', lastSeen: 1, snapshot: a.snapshot() })), 1).groups[0].master).toBe('fw1');
  });

  it('changes nothing anywhere when one host refuses the dry run', async () => {
    const { fleet, targets, agents } = world();
    agents[1].refuse = { code: 'invalid', message: 'interface eth0 has no IPv4 address' };
    const before = configsOf(agents);
    const r = await twoPhaseApply(planGroupApply(parseGroupSpecText(JSON.stringify(SPEC)), fleet()), targets);
    expect(r).toMatchObject({ ok: false, phase: 'validate' });
    expect(r.hosts.map((h) => h.outcome)).toEqual(['validated', 'refused', 'validated']);
    expect(r.summary).toContain('fw2: interface eth0 has no IPv4 address');
    expect(configsOf(agents)).toEqual(before);
    expect(agents.every((a) => a.received.every((c) => 'dryRun' in c && c.dryRun))).toBe(true);
  });

  it('rolls back the hosts already changed when one fails in phase 2', async () => {
    const { fleet, targets, agents } = world();
    const spec = parseGroupSpecText(JSON.stringify(SPEC));
    await twoPhaseApply(planGroupApply(spec, fleet()), targets);
    const before = configsOf(agents);
    agents[2].failApply = { code: 'io', message: 'EROFS: read-only file system, open /etc/carp-agent/config.json.tmp' };
    const edit = parseGroupSpecText(JSON.stringify({ ...SPEC, members: SPEC.members.map((m) => ({ ...m, advskew: m.advskew + 1 })) }));
    const r = await twoPhaseApply(planGroupApply(edit, fleet()), targets, { masters: ['fw1'] });
    expect(r).toMatchObject({ ok: false, phase: 'apply' });
    expect(r.hosts.map((h) => [h.host, h.outcome])).toEqual([['fw1', 'skipped'], ['fw2', 'rolled-back'], ['fw3', 'failed']]);
    expect(r.summary).toMatch(/apply failed on fw3: EROFS.*every host is as before/);
    expect(configsOf(agents)).toEqual(before);
    expect(agents[1].received.at(-1)).toMatchObject({ cmd: 'rollback' });
  });

  it('says so when a rollback fails', async () => {
    const { fleet, targets, agents } = world();
    agents[2].failApply = { code: 'io', message: 'disk full' };
    const t = new Map(targets);
    const fw1 = agents[0];
    t.set('fw1', { request: async (b) => (b.cmd === 'rollback' ? Promise.reject(Object.assign(new Error('agent went away'), { code: 'disconnected' })) : fw1.execute({ id: 0, ...b })) });
    const r = await twoPhaseApply(planGroupApply(parseGroupSpecText(JSON.stringify(SPEC)), fleet()), t);
    expect(r.hosts.map((h) => h.outcome)).toEqual(['rollback-failed', 'rolled-back', 'failed']);
    expect(r.summary).toMatch(/WARNING: fw1 kept the change \(agent went away\)/);
  });

  it('dry run validates only', async () => {
    const { fleet, targets, agents } = world();
    const r = await twoPhaseApply(planGroupApply(parseGroupSpecText(JSON.stringify(SPEC)), fleet()), targets, { dryRun: true });
    expect(r).toMatchObject({ ok: true, dryRun: true });
    expect(r.hosts.map((h) => h.outcome)).toEqual(['validated', 'validated', 'validated']);
    expect(agents.every((a) => a.configs().length === 0)).toBe(true);
  });
});

describe('review fixes: plan compares every field, moves delete the old interface', () => {
  it('sees a change of name or srcip, and sends fields the agent does not report', async () => {
    const { targets, agents, plan } = world();
    const spec = parseGroupSpecText(JSON.stringify(SPEC));
    expect((await twoPhaseApply(await plan(spec), targets)).ok).toBe(true);
    const named = await plan(parseGroupSpecText(JSON.stringify({ ...SPEC, name: 'lan' })));
    expect(named.steps.map((s) => [s.action, s.changes])).toEqual(Array(3).fill(['update', ['name (none) -> "lan"']]));
    const src = await plan(parseGroupSpecText(JSON.stringify({ ...SPEC, members: [{ ...SPEC.members[0], srcip: '198.18.0.9' }, ...SPEC.members.slice(1)] })));
    expect(src.steps.map((s) => [s.host, s.action, s.changes])).toEqual([['fw1', 'update', ['srcip 198.18.0.1 -> 198.18.0.9']], ['fw2', 'unchanged', []], ['fw3', 'unchanged', []]]);
    // upscript is not in GroupStatus: a spec that sets it is sent; the agent applies only what differs.
    const hooked = parseGroupSpecText(JSON.stringify({ ...SPEC, upscript: '/etc/carp/up.sh', neutral: true }));
    const p1 = await plan(hooked);
    expect(p1.steps.every((s) => s.action === 'update' && s.changes[0].startsWith('upscript, neutral sent'))).toBe(true);
    const r1 = await twoPhaseApply(p1, targets);
    expect(r1.hosts.map((h) => h.outcome)).toEqual(['applied', 'applied', 'applied']);
    expect(agents[0].configs()[0]).toMatchObject({ upscript: '/etc/carp/up.sh', neutral: true });
    const revs = agents.map((a) => a.revision);
    const r2 = await twoPhaseApply(await plan(hooked), targets);
    expect(r2).toMatchObject({ ok: true, summary: 'nothing changed: every agent reported its config already matched' });
    expect(r2.hosts.map((h) => h.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(agents.map((a) => a.revision)).toEqual(revs);
  });

  it('moves a member to another interface: creates on the new one and deletes the old one', async () => {
    const { targets, agents, plan } = world();
    expect((await twoPhaseApply(await plan(parseGroupSpecText(JSON.stringify(SPEC))), targets)).ok).toBe(true);
    const moved = parseGroupSpecText(JSON.stringify({ ...SPEC, members: [SPEC.members[0], { ...SPEC.members[1], interface: 'eth1' }, SPEC.members[2]] }));
    const p = await plan(moved);
    expect(p.errors).toEqual([]);
    expect(p.steps.map((s) => [s.host, s.action, s.command?.cmd, s.command && 'interface' in s.command ? s.command.interface : s.command?.cmd === 'putGroup' ? s.command.group.interface : undefined])).toEqual([
      ['fw1', 'unchanged', undefined, undefined],
      ['fw2', 'create', 'putGroup', 'eth1'],
      ['fw3', 'unchanged', undefined, undefined],
      ['fw2', 'delete', 'deleteGroup', 'eth0'],
    ]);
    expect(p.steps[3].changes).toEqual(['remove vhid 42 from eth0 (moved to eth1)']);
    const r = await twoPhaseApply(p, targets);
    expect(r.ok).toBe(true);
    expect(agents[1].configs().map((c) => c.interface)).toEqual(['eth1']);
  });

  it('leaves the same vhid on another segment alone', () => {
    const { agents } = world();
    const dmz = { ...agents[0].snapshot() };
    dmz.groups = [{ ...agents[0].status({ config: { vhid: 42, interface: 'eth2', addresses: ['198.19.5.100/24'], password: 'x', advbase: 1, advskew: 0, preempt: false, neutral: false }, state: 'MASTER', since: 1 }), segment: '198.19.5.0/24' }];
    const fleet = buildFleet([{ host: 'fw1', status: 'live', lastSeen: 1, snapshot: dmz }, ...agents.slice(1).map((a) => ({ host: a.host, status: 'live' as const, lastSeen: 1, snapshot: a.snapshot() }))], 1);
    const p = planGroupApply(parseGroupSpecText(JSON.stringify(SPEC)), fleet);
    expect(p.steps.map((s) => s.action)).toEqual(['create', 'create', 'create']);
  });

  it('undoes a move (two rollbacks on fw2, newest first) when a later host fails; an agent that keeps one revision has the create deleted', async () => {
    for (const older of [false, true]) {
      const { targets, agents, plan } = world();
      await twoPhaseApply(await plan(parseGroupSpecText(JSON.stringify(SPEC))), targets);
      const before = configsOf(agents);
      agents[0].failApply = { code: 'io', message: 'disk full' };
      const t = new Map(targets);
      // An older agent refuses to roll back any revision but its latest.
      let latest = 0;
      if (older) {
        t.set('fw2', {
          request: async (b) => {
            if (b.cmd === 'rollback' && b.revision !== latest) throw Object.assign(new Error(`revision ${b.revision} was followed by other changes`), { code: 'conflict' });
            const res = agents[1].execute({ id: 0, ...b }) as { revision?: number };
            if (typeof res?.revision === 'number' && !('dryRun' in b && b.dryRun)) latest = res.revision;
            return res;
          },
        });
      }
      const moved = parseGroupSpecText(JSON.stringify({ ...SPEC, members: [{ ...SPEC.members[0], advskew: 1 }, { ...SPEC.members[1], interface: 'eth1' }, SPEC.members[2]] }));
      const r = await twoPhaseApply(await plan(moved), t, { masters: ['fw1'] });
      expect(r.hosts.map((h) => [h.host, h.action, h.outcome])).toEqual([['fw1', 'update', 'failed'], ['fw2', 'create', 'rolled-back'], ['fw3', 'unchanged', 'unchanged'], ['fw2', 'delete', 'rolled-back']]);
      expect(r.summary).toMatch(/every host is as before/);
      expect(configsOf(agents)).toEqual(before);
      expect(agents[1].received.slice(-2).map((c) => c.cmd)).toEqual(older ? ['rollback', 'deleteGroup'] : ['rollback', 'rollback']);
    }
  });
});

describe('review fixes: lost replies in phase 2', () => {
  it('reads the revision back after a timeout and rolls back a host that did apply', async () => {
    const { fleet, targets, agents } = world();
    const before = configsOf(agents);
    const t = new Map(targets);
    // fw3 applies the change but its reply is lost (like a channel that dies after the agent wrote the file).
    t.set('fw3', {
      request: async (b) => {
        const res = agents[2].execute({ id: 0, ...b });
        if (b.cmd === 'putGroup' && !b.dryRun) throw Object.assign(new Error('fw3: no reply to putGroup within 15000 ms'), { code: 'timeout' });
        return res;
      },
    });
    const r = await twoPhaseApply(planGroupApply(parseGroupSpecText(JSON.stringify(SPEC)), fleet()), t, { masters: ['fw1'] });
    expect(r).toMatchObject({ ok: false, phase: 'apply' });
    expect(r.hosts.map((h) => [h.host, h.outcome])).toEqual([['fw1', 'skipped'], ['fw2', 'rolled-back'], ['fw3', 'failed']]);
    expect(r.hosts[2].error?.message).toMatch(/the agent had applied it \(revision 2\)/);
    expect(r.summary).toMatch(/2 change\(s\) already made were rolled back, every host is as before/);
    expect(configsOf(agents)).toEqual(before);
  });

  it('names the host whose state is unknown when the revision cannot be read back', async () => {
    const { fleet, targets, agents } = world();
    const t = new Map(targets);
    t.set('fw3', {
      request: async (b) => {
        if (b.cmd === 'status') throw Object.assign(new Error('fw3: agent is unreachable'), { code: 'disconnected' });
        const res = agents[2].execute({ id: 0, ...b });
        if (b.cmd === 'putGroup' && !b.dryRun) throw Object.assign(new Error('fw3: attach channel closed'), { code: 'disconnected' });
        return res;
      },
      waitLive: async () => {
        throw Object.assign(new Error('fw3: no agent snapshot within 10 ms'), { code: 'timeout' });
      },
    });
    const r = await twoPhaseApply(planGroupApply(parseGroupSpecText(JSON.stringify(SPEC)), fleet()), t, { readbackMs: 10 });
    expect(r.hosts.map((h) => [h.host, h.outcome])).toEqual([['fw1', 'rolled-back'], ['fw2', 'rolled-back'], ['fw3', 'unknown']]);
    expect(r.summary).toMatch(/the state of fw3 is UNKNOWN/);
    expect(r.summary).not.toMatch(/every host is as before/);
  });

  it('a host whose agent restarted during the apply is UNKNOWN (its revision counts anew) and says which config it runs', async () => {
    const { fleet, targets, agents } = world();
    const t = new Map(targets);
    const idOf = () => `${agents[2].pid}@${agents[2].startedAt}`;
    t.set('fw3', {
      agentId: idOf,
      request: async (b) => {
        const res = agents[2].execute({ id: 0, ...b });
        if (b.cmd === 'putGroup' && !b.dryRun) {
          // The power goes after the agent wrote the new config; it comes back with it, at revision 1.
          agents[2].crash();
          agents[2].boot();
          agents[2].revision = 1; // the real agent counts revisions from 1 again after a restart
          throw Object.assign(new Error('fw3: attach channel closed'), { code: 'disconnected' });
        }
        return res;
      },
    });
    const r = await twoPhaseApply(planGroupApply(parseGroupSpecText(JSON.stringify({ ...SPEC, advbase: 2 })), fleet()), t, { masters: ['fw1'] });
    expect(r.hosts.map((h) => [h.host, h.outcome])).toEqual([['fw1', 'skipped'], ['fw2', 'rolled-back'], ['fw3', 'unknown']]);
    expect(r.hosts[2].error?.message).toMatch(/its agent restarted meanwhile \(now revision 1, counted anew\).*it runs vhid 42 with advbase 2 advskew 50 \(the new config\)/);
    expect(r.summary).toMatch(/the state of fw3 is UNKNOWN/);
    expect(r.summary).not.toMatch(/every host is as before/);
  });

  it('counts a reply that is not an ApplyResult as failed, not applied', async () => {
    const { fleet, targets, agents } = world();
    const t = new Map(targets);
    t.set('fw2', { request: async (b) => (b.cmd === 'putGroup' && !b.dryRun ? { weird: true } : agents[1].execute({ id: 0, ...b })) });
    const r = await twoPhaseApply(planGroupApply(parseGroupSpecText(JSON.stringify(SPEC)), fleet()), t);
    expect(r.ok).toBe(false);
    expect(r.hosts.map((h) => [h.host, h.outcome])).toEqual([['fw1', 'rolled-back'], ['fw2', 'failed'], ['fw3', 'skipped']]);
    expect(r.hosts[1].error?.code).toBe('bad-result');
    expect(agents[0].configs()).toEqual([]);
  });
});
