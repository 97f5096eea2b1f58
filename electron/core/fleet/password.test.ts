// The group password through the console core: members are compared by their agents' check values,
// a mismatch is found, and nothing the core exposes (fleet, findings, events, apply outcomes, carpctl's
// text and --json) carries the password or a check value. Nothing the core runs on a host carries it
// on a command line either: it travels inside the control channel's JSON lines (stdin), never argv.
import { afterEach, describe, expect, it } from 'vitest';
import { createConsole, type Console } from '../console.js';
import { fakeFleet, type FakeAgent, type FakeTransport } from '../testing/fake-agent.js';
import type { ConsoleEvent } from '../events.js';
import { passwordCheckSync } from '../../../agent/config/password-check.js';
import { formatApply, formatEvent, formatHosts, formatStatus } from '../../cli/format.js';
import { passwordAgreement, redactAgentEvent } from './password.js';
import { until } from '../testing/until.js';

const VIPS = ['198.18.0.100/24'];
const PASSWORD = 'Hunter2-shared';
const OTHER = 'Tr0ub4dor-odd';
const SPEC = { vhid: 42, interface: 'eth0', addresses: VIPS, password: PASSWORD, members: [{ host: 'fw1', advskew: 0 }, { host: 'fw2', advskew: 100 }, { host: 'fw3', advskew: 50 }] };

let stop: Array<() => void> = [];
afterEach(() => {
  stop.forEach((f) => f());
  stop = [];
});


function world(): { c: Console; agents: FakeAgent[]; transports: FakeTransport[]; events: ConsoleEvent[] } {
  const f = fakeFleet(3, 50);
  const byName = new Map(f.transports.map((t) => [t.host.name, t]));
  const c = createConsole({ hosts: f.transports.map((t) => t.host), transport: (h) => byName.get(h.name)!, link: { staleMs: 1000, backoffMinMs: 20, backoffMaxMs: 100 } });
  const events: ConsoleEvent[] = [];
  const off = c.subscribe((e) => events.push(e), { snapshot: true });
  stop.push(() => {
    off();
    c.close();
    f.net.stop();
  });
  return { c, ...f, events };
}

describe('password agreement', () => {
  it('compares members with the same address set; the majority is "same"; one against one both differ', () => {
    const a = { check: 'a', addresses: VIPS };
    const b = { check: 'b', addresses: VIPS };
    expect(passwordAgreement([a, a, b])).toEqual(['same', 'same', 'differs']);
    expect(passwordAgreement([a, b])).toEqual(['differs', 'differs']);
    expect(passwordAgreement([a, { check: undefined, addresses: VIPS }])).toEqual(['unknown', 'unknown']);
    // another address set is salted differently: not comparable here (the addresses finding says it)
    expect(passwordAgreement([a, a, { check: 'c', addresses: ['198.18.0.101/24'] }])).toEqual(['same', 'same', 'unknown']);
  });

  it('an agent event is relayed without the check value, and only that is removed', () => {
    const group = { vhid: 1, interface: 'eth0', segment: 's', srcip: 'x', addresses: VIPS, state: 'MASTER' as const, since: 0, advbase: 1, advskew: 0, wireAdvskew: 0, wireAdvbase: 1, demote: 0, preempt: true, passwordCheck: 'cd'.repeat(16), lastAdvert: null, sent: 0, received: 0, drops: {} };
    const { passwordCheck: _c, ...rest } = group;
    expect(redactAgentEvent({ kind: 'group', at: 1, group })).toEqual({ kind: 'group', at: 1, group: rest });
  });
});

describe('the password through the console core', () => {
  it('finds a mismatch, and no fleet, finding, event, outcome or carpctl output carries the password or a check value', async () => {
    const { c, agents, transports, events } = world();
    await c.ready(3000);
    const applied = await c.applyGroup(SPEC);
    expect(applied.ok).toBe(true);
    await until(() => c.fleetNow().groups[0]?.members.length === 3 && c.fleetNow().groups[0].members.every((m) => m.password === 'same'));
    const again = await c.applyGroup(SPEC, { dryRun: true }); // compared by check value: nothing to change
    expect(again.diff.map((d) => d.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);

    // fw3 gets another password behind the console's back; its agent reports the group (with its check value)
    const g3 = agents[2].groups[0];
    g3.config = { ...g3.config, password: OTHER };
    agents[2].emit({ kind: 'group', at: Date.now(), group: agents[2].status(g3) });
    await until(() => c.fleetNow().findings.some((f) => f.kind === 'mismatch:password'));
    const fleet = await c.fleet();
    const finding = fleet.findings.find((f) => f.kind === 'mismatch:password')!;
    expect(finding.message).toContain('fw3 uses a password other than fw1, fw2');
    expect(fleet.groups[0].members.map((m) => [m.host, m.password])).toEqual([['fw1', 'same'], ['fw2', 'same'], ['fw3', 'differs']]);
    const preview = await c.applyGroup(SPEC, { dryRun: true });
    expect(preview.diff.find((d) => d.host === 'fw3')!.fields).toContainEqual({ field: 'password', before: '(current)', after: '(changed)' });
    expect(events.some((e) => e.type === 'agent' && e.event.kind === 'group')).toBe(true); // the relayed event is in what we check

    const secrets = [PASSWORD, OTHER, passwordCheckSync(42, PASSWORD, VIPS), passwordCheckSync(42, OTHER, VIPS)];
    const exposed = {
      json: JSON.stringify([fleet, await c.hosts(), events, applied, again, preview]), // carpctl --json prints these objects
      text: [formatStatus(fleet), formatHosts(fleet), ...events.map(formatEvent), formatApply(applied), formatApply(preview)].join('\n'),
    };
    for (const [where, text] of Object.entries(exposed)) {
      expect(text.length).toBeGreaterThan(100);
      for (const s of secrets) expect({ where, leaked: text.includes(s) }).toEqual({ where, leaked: false });
      expect({ where, field: /passwordCheck|passwordFingerprint/.test(text) }).toEqual({ where, field: false });
    }
    expect(formatStatus(fleet)).toMatch(/fw3 .* password-differs/);

    // every command line the core ran on a host (exec and the attach channel): no password, no --pass
    const lines = transports.flatMap((t) => [...t.execs, ...t.lineCommands]);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      for (const s of [PASSWORD, OTHER]) expect(l).not.toContain(s);
      expect(l).not.toMatch(/--pass\b|\s-p\s/);
    }
    // ... while the password did reach the agents, inside the channel's JSON commands
    expect(agents[0].received.some((cmd) => cmd.cmd === 'putGroup' && cmd.group.password === PASSWORD)).toBe(true);
  });
});
