// Fault: the agent's files corrupted on disk, then the agent restarted as the host starts it
// (/opt/carp-agent/service.sh, the line deploy put in /etc/rc.local). Proves:
// (1) /etc/carp-agent/config.json truncated, emptied, with broken JSON, with a bad field, or with one
//     good group and one bad one: the agent refuses to start, its log names the file and the field (or
//     the line/column), points at config.json.prev (the config before the last change, kept by every
//     write), never quotes the password, and runs nothing at all: no group of the file (not even the
//     good one: it would take its VIP within seconds), no control socket;
// (2) a SIGHUP with a broken file leaves the running config running and says so;
// (3) putting config.json.prev back starts the agent with exactly that config, and the console shows it;
// (4) /etc/carp-agent/state.json corrupted on a host in maintenance: the agent comes back IN maintenance
//     (fail-safe) and says so, so the preferred master does not take its groups back by itself.
// The agent does not fall back to config.json.prev on its own: that file is the config from before the
// last change (an old password, advskew or address set) and could set the host against its peers.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Lab } from '../lab/index.js';
import type { Console } from '../../electron/core/console.js';
import { consoleLab, closeConsoleLab, type ConsoleLab } from '../core/console-lab.js';
import { AgentWatch, PASSWORD, applyDemoGroup, demoGroup, sleep, waitFor } from './helpers.js';

const LAB_ID = 64;
const CONF = '/etc/carp-agent/config.json';
const LOG = '/var/log/carp-agent.log';
const VIP2 = `198.18.${LAB_ID}.102`;

let x: ConsoleLab | undefined;
let lab: Lab;
let c: Console;

async function sh(host: string, cmd: string, input?: string): Promise<string> {
  const r = await lab.exec(host, cmd, { timeoutMs: 30_000, ...(input !== undefined ? { input } : {}) });
  if (r.code !== 0) throw new Error(`${host}: ${cmd} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}
const logSize = async (host: string) => Number((await sh(host, `wc -c < ${LOG}`)).trim());
const logSince = async (host: string, from: number) => sh(host, `tail -c +${from + 1} ${LOG}`);
const restart = (host: string) => sh(host, '/bin/sh /opt/carp-agent/service.sh restart');
const vipsOf = async (host: string) => sh(host, 'ip -4 -o addr show dev eth0');
const memberOf = (host: string) => c.fleetNow().groups.find((g) => g.vhid === 1)?.members.find((m) => m.host === host);

beforeAll(async () => {
  ({ lab, c } = x = await consoleLab(LAB_ID, { deploy: true }));
  await applyDemoGroup(c, LAB_ID);
  // A second change, so config.json.prev holds the first (fw2 advskew 100) and config.json the second (110).
  const r = await c.applyGroup(demoGroup(LAB_ID, { members: [{ host: 'fw1', advskew: 0, preempt: true }, { host: 'fw2', advskew: 110, preempt: true }, { host: 'fw3', advskew: 50, preempt: true }] }));
  expect(r.summary).toBe('applied on fw2');
});

afterAll(async () => {
  await closeConsoleLab(x);
});

describe('corrupted agent files (lab)', () => {
  it('refuses every broken config.json naming file and field, runs none of it, and starts with .prev once it is put back', async () => {
    const good = await sh('fw2', `cat ${CONF}`);
    expect(JSON.parse(good).groups[0].advskew).toBe(110);
    expect(JSON.parse(await sh('fw2', `cat ${CONF}.prev`)).groups[0].advskew).toBe(100);
    const g0 = JSON.parse(good).groups[0];

    // SIGHUP with a broken file: the running config keeps running, and the log says so.
    let from = await logSize('fw2');
    await sh('fw2', `cat > ${CONF}`, JSON.stringify({ groups: [{ ...g0, advskew: 300 }] }));
    await sh('fw2', 'kill -HUP $(cat /run/carp-agent.pid)');
    await waitFor(async () => /SIGHUP: .*invalid configuration/.test(await logSince('fw2', from)), 5000, 'the SIGHUP refusal in the log');
    const hup = await logSince('fw2', from);
    expect(hup).toContain('groups[0].advskew: must be 0..254');
    expect(hup).toContain('the running config keeps running');
    expect(memberOf('fw2')).toMatchObject({ live: true, advskew: 110, state: 'BACKUP' });

    const cases: Array<{ name: string; text: string; says: RegExp }> = [
      { name: 'truncated', text: good.slice(0, Math.floor(good.length * 0.6)), says: /\(file\): not valid JSON at line \d+, column \d+ \(the file ends too early\)/ },
      { name: 'emptied', text: '', says: /\(file\): is empty \(truncated\?\)/ },
      { name: 'invalid JSON', text: good.replace('"advskew": 110', '"advskew" 110'), says: /\(file\): not valid JSON at line \d+, column \d+;/ },
      { name: 'a bad field', text: JSON.stringify({ groups: [{ ...g0, advskew: 300 }] }), says: /groups\[0\]\.advskew: must be 0\.\.254/ },
      {
        name: 'one good group, one bad',
        text: JSON.stringify({ groups: [{ ...g0, vhid: 2, addresses: [`${VIP2}/24`], advskew: 0 }, { ...g0, interface: 'eth 0' }] }, null, 2),
        says: /groups\[1\]\.interface: may only contain/,
      },
    ];
    const aw = new AgentWatch(lab, ['fw2']);
    try {
      for (const k of cases) {
        from = await logSize('fw2');
        await sh('fw2', `cat > ${CONF}`, k.text);
        await restart('fw2');
        await waitFor(async () => /refusing to start/.test(await logSince('fw2', from)), 10_000, `${k.name}: the refusal in the log`);
        // Long enough for a group that did run to become MASTER of vhid 2 (3 s without a peer) and take its VIP.
        await sleep(k.name === 'one good group, one bad' ? 4000 : 500);
        const log = await logSince('fw2', from);
        const lines = log.split('\n');
        const at = lines.findIndex((l) => l.includes('refusing to start'));
        const line = lines[at];
        const detail: string[] = [];
        for (let i = at + 1; i < lines.length && lines[i].startsWith('  '); i++) detail.push(lines[i].trim());
        console.log(`${k.name}: ${line}\n    ${detail.join('\n    ')}`);
        expect(line).toContain(`refusing to start: ${CONF}: invalid configuration`);
        expect(log).toMatch(k.says);
        expect(log).toMatch(new RegExp(`the config before the last change \\(1 group, saved [0-9T:.-]+Z\\) is kept in ${CONF}\\.prev`));
        expect(log).not.toContain(PASSWORD);
        expect(log).not.toMatch(/started .*group\(s\)/);
        const st = await lab.exec('fw2', '/usr/local/bin/carp-agent status');
        expect(st.code).toBe(3); // not running
        expect(aw.now('fw2')).toBe('NONE');
        expect(await vipsOf('fw2')).not.toContain(VIP2);
      }
      const shown = c.fleetNow().hosts.find((h) => h.host === 'fw2')!;
      console.log(`console while fw2 refuses: ${shown.status}: ${shown.error ?? ''}`);
      expect(shown.status).not.toBe('live');

      // Put the previous good config back: the agent runs exactly it (fw2 advskew 100).
      from = await logSize('fw2');
      await sh('fw2', `cp ${CONF}.prev ${CONF}`);
      await restart('fw2');
      await waitFor(() => memberOf('fw2')?.live === true, 20_000, 'fw2 live again in the console');
      expect(memberOf('fw2')).toMatchObject({ advskew: 100, state: 'BACKUP' });
      expect(aw.now('fw2')).toBe('BACKUP');
      expect(await logSince('fw2', from)).toMatch(/started .*: 1 group\(s\)/);
    } finally {
      aw.close();
    }
  });

  it('a corrupt state.json on a host in maintenance brings it back in maintenance, not in service', async () => {
    await waitFor(() => c.fleetNow().groups[0]?.master === 'fw1', 15_000, 'fw1 master');
    const r = await c.maintenanceEnter('fw1', {});
    expect(r).toMatchObject({ ok: true, inMaintenance: true });
    await waitFor(() => c.fleetNow().groups[0]?.master === 'fw3', 10_000, 'fw3 master');
    expect(JSON.parse(await sh('fw1', 'cat /etc/carp-agent/state.json'))).toMatchObject({ maintenance: true });
    const from = await logSize('fw1');
    await sh('fw1', 'cat > /etc/carp-agent/state.json', '{"demote":0,"maintenance":tr');
    await restart('fw1');
    await waitFor(() => c.fleetNow().hosts.find((h) => h.host === 'fw1')?.status === 'live' && memberOf('fw1')?.state === 'BACKUP', 20_000, 'fw1 back');
    const log = await logSince('fw1', from);
    console.log(`state.json corrupt: ${log.split('\n').find((l) => l.includes('state.json'))}`);
    expect(log).toMatch(/state\.json: is not valid JSON; starting in maintenance to be safe/);
    expect(c.fleetNow().hosts.find((h) => h.host === 'fw1')!.maintenance).toBe(true);
    expect(c.fleetNow().findings.some((f) => f.kind === 'maintenance' && f.hosts.includes('fw1'))).toBe(true);
    // fw1 (advskew 0, preempt) would take vhid 1 back within about a second if it were in service.
    await sleep(3000);
    expect(c.fleetNow().groups[0].master).toBe('fw3');
    await c.maintenanceExit('fw1');
    await waitFor(() => c.fleetNow().groups[0]?.master === 'fw1', 10_000, 'fw1 master again after leaving maintenance');
  });
});
