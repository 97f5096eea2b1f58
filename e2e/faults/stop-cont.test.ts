// Fault: the master's agent is stopped (SIGSTOP) for longer than the backups' master-down time, then
// continued (SIGCONT). Proves: (1) the predicted successor takes over while the master is frozen;
// (2) after the thaw exactly one master remains within two advert intervals, by the agents' own
// state; (3) the console never shows a split-brain finding unless two agents really reported MASTER
// at that moment (it shows the frozen host as not live instead), and it converges on the one master.
// Only the agent daemon is frozen (not every `node` of the host: that would also freeze the
// `carp-agent attach` processes that carry the console's SSH channels).
import { describe, it, expect, beforeAll } from 'vitest';
import type { Lab } from '../lab/index.js';
import type { Console } from '../../electron/core/console.js';
import { AgentWatch, ConsoleWatch, type FleetSample, agentDaemonPid, falseSplitBrain, intervalMs, isStopped, rel, sleep, waitFor, useFaultLab } from './helpers.js';

const LAB_ID = 62;
/** fw3 (advskew 50) is the successor: master down after 3 x 1 + 50/256 s. */
const MASTER_DOWN_MS = 3000 + (50 * 1000) / 256;
/** Agent -> SSH -> console, allowed at either end of a split-brain finding. */
const LAG_MS = 500;

const f = useFaultLab(LAB_ID);
let lab: Lab;
let c: Console;

beforeAll(() => {
  ({ lab, c } = f.x!);
});


describe('SIGSTOP / SIGCONT of the master agent (lab)', () => {
  for (const round of [1, 2]) {
    it(`round ${round}: the successor takes over, one master within two intervals after the thaw, no false split brain`, async () => {
      await waitFor(() => c.fleetNow().groups[0]?.master === 'fw1' && !c.fleetNow().findings.some((f) => f.kind === 'split-brain' || f.kind === 'host-down'), 30_000, 'fw1 the one master, every host live');
      const aw = new AgentWatch(lab, ['fw1', 'fw2', 'fw3']);
      const cw = new ConsoleWatch(c);
      try {
        await waitFor(() => aw.masters().join() === 'fw1' && aw.hosts.every((h) => aw.now(h) !== undefined), 5000, 'agents watched, fw1 master');
        const pid = await agentDaemonPid(lab, 'fw1');
        const frozeAt = Date.now();
        process.kill(pid, 'SIGSTOP');
        await waitFor(() => isStopped(pid), 1000, 'fw1 agent stopped');
        // Frozen for twice the master-down time: the successor takes over, the console sees fw1 go silent.
        await waitFor(() => aw.now('fw3') === 'MASTER', MASTER_DOWN_MS + 2000, 'fw3 MASTER while fw1 is frozen');
        const takeover = aw.becameMaster(frozeAt).find((s) => s.host === 'fw3')!;
        await sleep(Math.max(0, frozeAt + 2 * MASTER_DOWN_MS - Date.now()));
        const frozen = c.fleetNow();
        const fw1View = frozen.hosts.find((h) => h.host === 'fw1')!;
        console.log(
          `round ${round}: fw1 frozen ${Date.now() - frozeAt} ms; fw3 MASTER ${rel(takeover.at, frozeAt)} after the freeze (master-down ${MASTER_DOWN_MS.toFixed(0)} ms); ` +
            `console during the freeze: fw1 ${fw1View.status}, masters [${frozen.groups[0].masters.join(', ')}], findings ${frozen.findings.map((f) => f.kind).join(', ')}`,
        );
        expect(fw1View.status).not.toBe('live');
        expect(frozen.groups[0].masters).toEqual(['fw3']);
        expect(frozen.findings.some((f) => f.kind === 'host-down' && f.hosts.includes('fw1'))).toBe(true);
        expect(aw.now('fw2')).toBe('BACKUP');

        const thawAt = Date.now();
        process.kill(pid, 'SIGCONT');
        // By the agents' own state: exactly one master within two advert intervals of the best master (fw1).
        const bound = 2 * intervalMs(1, 0);
        await sleep(bound + 200);
        const both = aw.twoMasterIntervals(thawAt);
        const oneAt = both.length ? Math.max(...both.map((b) => b.to)) : thawAt;
        console.log(
          `round ${round}: after the thaw: two agents MASTER until ${rel(oneAt, thawAt)} (${both.map((b) => `${b.hosts.join('+')} ${rel(b.from, thawAt)}..${rel(b.to, thawAt)}`).join('; ') || 'never'}); ` +
            `masters now [${aw.masters().join(', ')}]`,
        );
        expect(oneAt - thawAt).toBeLessThanOrEqual(bound); // protocol timing: the worse master steps down on the better one's next advert
        expect(aw.masters()).toEqual(['fw1']); // advskew 0 with preempt: fw1 keeps it, fw3 steps down
        expect(aw.now('fw2')).toBe('BACKUP');

        // The console comes back to the truth: fw1 live again, one master, no split brain.
        const truth = (s: FleetSample) => Object.values(s.status).every((v) => v === 'live') && s.masters.join() === 'fw1' && !s.splitBrain;
        await waitFor(() => !!cw.first(truth, thawAt), 20_000, 'the console showing fw1 live and the one master');
        console.log(`round ${round}: console shows fw1 live and the one master ${rel(cw.first(truth, thawAt)!.at, thawAt)} after the thaw`);
        await sleep(LAG_MS);

        // The split-brain finding appeared only while two agents really were MASTER (give or take the lag).
        const sb = cw.splitBrainIntervals();
        console.log(
          `round ${round}: agents' two-master intervals: ${aw.twoMasterIntervals(frozeAt).map((b) => `${b.hosts.join('+')} ${rel(b.from, frozeAt)}..${rel(b.to, frozeAt)}`).join('; ') || 'none'}; ` +
            `console split-brain intervals: ${sb.map((b) => `${b.masters.join('+')} ${rel(b.from, frozeAt)}..${rel(b.to, frozeAt)}`).join('; ') || 'none'} (times from the freeze)`,
        );
        expect(falseSplitBrain(cw, aw, LAG_MS)).toEqual([]);
        expect(sb.every((b) => b.to < Infinity)).toBe(true);
      } finally {
        aw.close();
        cw.close();
        await lab.thaw('fw1').catch(() => undefined);
      }
    });
  }
});
