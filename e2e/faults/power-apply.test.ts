// Fault: a member is powered off (no clean shutdown) in the middle of a two-phase `group apply`, and
// powered on again. Proves, at both ends of the window:
//   A. the command never reached the agent (its agent is held, SIGSTOP, the moment the console starts
//      fw3's apply step; then the power goes);
//   B. the agent applied it and wrote it, but the reply never left the host (fw3's replies to the
//      console are dropped from the start of phase 2; the power goes once the new file is on disk),
// that (1) the apply's summary names fw3 as UNKNOWN (not failed, not applied, never "every host is as
// before") and the hosts changed before it are rolled back; (2) after power-on fw3's config.json is
// complete and is either the old or the new config, never a mix; (3) the agent runs exactly what is on
// disk and the console shows which (fw3's advskew, and its config revision).
// fw3 runs at config revision 1 before B (its agent restarted since its last change, as after any
// reboot), so the revision read back after the power cycle equals the one seen before the apply.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Lab } from '../lab/index.js';
import { run } from '../lab/run.js';
import type { Console } from '../../electron/core/console.js';
import type { ConsoleEvent } from '../../electron/core/events.js';
import { agentDaemonPid, demoGroup, waitFor, useFaultLab } from './helpers.js';
import { sleep } from '../wait.js';

const LAB_ID = 65;
const CONF = '/etc/carp-agent/config.json';

const f = useFaultLab(LAB_ID);
let lab: Lab;
let c: Console;

const skews = (d: number) => [
  { host: 'fw1', advskew: 0 + d, preempt: true },
  { host: 'fw2', advskew: 100 + d, preempt: true },
  { host: 'fw3', advskew: 50 + d, preempt: true },
];

async function diskAdvskew(host: string): Promise<number> {
  const r = await lab.exec(host, `cat ${CONF}`);
  const cfg = JSON.parse(r.stdout) as { groups: Array<{ vhid: number; advskew: number }> };
  return cfg.groups.find((g) => g.vhid === 1)!.advskew;
}

const holdTable = 'carplab_hold';
async function dropRepliesFrom(host: string, on: boolean): Promise<void> {
  const ns = lab.host(host).netns;
  await run('ip', ['netns', 'exec', ns, 'nft', 'delete', 'table', 'inet', holdTable]);
  if (!on) return;
  const r = await run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {
    input: `table inet ${holdTable} {\n  chain out {\n    type filter hook output priority 0; policy accept;\n    oifname "mgmt0" tcp sport 22 drop\n  }\n}\n`,
  });
  if (r.code !== 0) throw new Error(`nft: ${r.stderr}`);
}

beforeAll(() => {
  ({ lab, c } = f.x!);
});

// Runs before the lab's own clean-up (after-hooks run in reverse order).
afterAll(async () => {
  await dropRepliesFrom('fw3', false).catch(() => undefined);
});

async function powerCycleDuringApply(which: 'A' | 'B', delta: number) {
  const before = await diskAdvskew('fw3');
  const fw2pid = await agentDaemonPid(lab, 'fw2');
  const fw3pid = await agentDaemonPid(lab, 'fw3');
  const events: Extract<ConsoleEvent, { type: 'apply' }>[] = [];
  const t0 = Date.now();
  let powered = null as Promise<void> | null; // set by the event listener below
  let offAt = 0;
  let onAt = 0;
  const powerCycle = async (wait?: () => Promise<unknown>) => {
    if (wait) await wait();
    offAt = Date.now();
    await lab.powerOff('fw3');
    await dropRepliesFrom('fw3', false); // the netns (and its nft tables) outlives the power cycle
    await sleep(500);
    onAt = Date.now();
    await lab.powerOn('fw3');
  };
  let holding = null as Promise<void> | null; // set by the event listener below
  const off = c.subscribe((e) => {
    if (e.type !== 'apply') return;
    events.push(e);
    if (which === 'B' && e.host === 'fw2' && e.step === 'apply') {
      // Hold fw2's agent while fw3's replies are cut, so the cut is in place before fw3's step starts.
      process.kill(fw2pid, 'SIGSTOP');
      holding = dropRepliesFrom('fw3', true).finally(() => process.kill(fw2pid, 'SIGCONT'));
    }
    if (e.host === 'fw3' && e.step === 'apply' && !powered) {
      if (which === 'A') {
        process.kill(fw3pid, 'SIGSTOP'); // synchronous: the command cannot be read before the power goes
        powered = powerCycle();
      } else {
        powered = powerCycle(() => waitFor(async () => (await diskAdvskew('fw3')) === 50 + delta, 5000, 'the new config on fw3\'s disk'));
      }
    }
  });
  let r;
  try {
    r = await c.applyGroup(demoGroup(LAB_ID, { members: skews(delta) }));
  } finally {
    off();
  }
  await holding;
  await powered;
  const steps = events.map((e) => `${e.host ?? '*'}:${e.step}@${e.at - t0}`).join(' ');
  console.log(`${which}: power off ${offAt - t0} ms, on ${onAt - t0} ms; apply steps: ${steps}`);
  console.log(`${which}: outcome per host: ${r.hosts.map((h) => `${h.host} ${h.outcome}`).join(', ')}\n${which}: summary: ${r.summary}`);
  return { r, before };
}

async function checkAfter(which: string, expectDisk: number) {
  await waitFor(() => c.fleetNow().hosts.find((h) => h.host === 'fw3')?.status === 'live', 30_000, 'fw3 live in the console again');
  const disk = await diskAdvskew('fw3'); // parses: the file is whole
  const st = JSON.parse((await lab.exec('fw3', '/usr/local/bin/carp-agent status --json')).stdout) as { agent: { configRevision: number }; groups: Array<{ vhid: number; advskew: number }> };
  const member = c.fleetNow().groups[0].members.find((m) => m.host === 'fw3')!;
  const shownRev = c.link('fw3').report().snapshot?.agent.configRevision;
  console.log(`${which}: after power-on fw3 runs advskew ${st.groups[0].advskew} (revision ${st.agent.configRevision}), on disk ${disk}; the console shows advskew ${member.advskew}, revision ${shownRev}`);
  expect(disk).toBe(expectDisk);
  expect(st.groups.find((g) => g.vhid === 1)!.advskew).toBe(disk);
  expect(member.advskew).toBe(disk);
  expect(shownRev).toBe(st.agent.configRevision);
  for (const h of ['fw1', 'fw2']) expect(await diskAdvskew(h)).toBe(h === 'fw1' ? 0 : 100); // rolled back or never changed
}

describe('power-off in the middle of a group apply (lab)', () => {
  it('A: the command never reached fw3: UNKNOWN in the summary, the old config after power-on', async () => {
    const { r, before } = await powerCycleDuringApply('A', 5);
    expect(before).toBe(50);
    expect(r.ok).toBe(false);
    expect(r.hosts.find((h) => h.host === 'fw3')!.outcome).toBe('unknown');
    expect(r.summary).toMatch(/the state of fw3 is UNKNOWN/);
    expect(r.hosts.find((h) => h.host === 'fw2')!.outcome).toBe('rolled-back');
    expect(r.hosts.find((h) => h.host === 'fw1')!.outcome).toBe('skipped');
    await checkAfter('A', 50);
  });

  it('B: fw3 applied it but its reply was lost: UNKNOWN in the summary, the new config after power-on', async () => {
    // fw3 just rebooted (power cycle A): its agent is at config revision 1, as after any restart.
    expect(c.link('fw3').report().snapshot?.agent.configRevision).toBe(1);
    const { r } = await powerCycleDuringApply('B', 10);
    expect(r.ok).toBe(false);
    expect(r.hosts.find((h) => h.host === 'fw3')!.outcome).toBe('unknown');
    expect(r.summary).toMatch(/the state of fw3 is UNKNOWN/);
    expect(r.summary).not.toMatch(/every host is as before/);
    expect(r.hosts.find((h) => h.host === 'fw2')!.outcome).toBe('rolled-back');
    await checkAfter('B', 60);
    // Put the group back in line everywhere.
    const back = await c.applyGroup(demoGroup(LAB_ID));
    expect(back.ok).toBe(true);
  });
});
