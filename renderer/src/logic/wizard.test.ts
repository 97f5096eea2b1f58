// Unit tests of the "demote before reboot" wizard: which step is enabled given results and the fleet,
// failures with where they stopped, and the return-to-service checks.
import { describe, expect, it } from 'vitest';
import type { MaintenanceResult } from '../../../electron/core/api.js';
import { handedOver, newSession, preflightLines, returnChecks, settleMaintenance, wizardView, type MaintenanceSession } from './wizard.js';
import { labFleet } from './testing/fleet-fixture.js';

const mastered = [{ key: '198.18.0.0/24#1', vhid: 1, segment: '198.18.0.0/24', successor: 'fw3' }];
const result = (over: Partial<MaintenanceResult> = {}): MaintenanceResult => ({
  host: 'fw1',
  ok: true,
  step: 'done',
  inMaintenance: true,
  preflight: { host: 'fw1', ok: true, mastered, blocked: [], message: 'fw1 masters vhid 1 (successor fw3)' },
  handovers: [{ group: '198.18.0.0/24#1', to: 'fw3', at: 10 }],
  startedAt: 1,
  finishedAt: 10,
  ...over,
});
const entered = (s: MaintenanceSession): MaintenanceSession => ({ ...s, enter: settleMaintenance('m1', 1, result()) });
/** fw1 in maintenance, fw3 master now. */
const inMaintenanceFleet = () =>
  labFleet({
    fw1: { state: 'BACKUP', maintenance: true, demote: 255, wireAdvskew: 240 },
    fw3: { state: 'MASTER' },
    hosts: { fw1: { maintenance: true, demote: 255 } },
  });

describe('wizardView', () => {
  it('at the start: preflight done, only "Enter maintenance" enabled', () => {
    const w = wizardView(labFleet(), newSession('fw1'), false);
    expect(w.preflightStep.status).toBe('done');
    expect(w.enterStep).toMatchObject({ status: 'ready', enabled: true });
    expect(w.rebootStep.enabled).toBe(false);
    expect(w.exitStep.enabled).toBe(false);
    expect(preflightLines(w.preflight)).toEqual(['198.18.0.0/24 vhid 1 moves to fw3.']);
  });

  it('refuses without a successor until Force is ticked', () => {
    const fleet = labFleet({ fw2: { live: false, hostStatus: 'stale' }, fw3: { live: false, hostStatus: 'unreachable' } });
    fleet.groups[0].successor = null;
    const w = wizardView(fleet, newSession('fw1'), false);
    expect(w.needsForce).toBe(true);
    expect(w.preflightStep.status).toBe('blocked');
    expect(w.enterStep.enabled).toBe(false);
    expect(preflightLines(w.preflight)[0]).toMatch(/has no live successor/);
    const forced = wizardView(fleet, { ...newSession('fw1'), force: true }, false);
    expect(forced.preflightStep.status).toBe('forced');
    expect(forced.enterStep.enabled).toBe(true);
  });

  it('cannot start at all on a host that is not live (Force does not help)', () => {
    const fleet = labFleet({ hosts: { fw1: { status: 'stale' } } });
    const w = wizardView(fleet, { ...newSession('fw1'), force: true }, false);
    expect(w.needsForce).toBe(false);
    expect(w.preflightStep.status).toBe('blocked');
    expect(w.enterStep.enabled).toBe(false);
  });

  it('"Reboot now" only after step 2 succeeded and while the host is in maintenance', () => {
    const s = entered(newSession('fw1'));
    const w = wizardView(inMaintenanceFleet(), s, false);
    expect(w.enterStep.status).toBe('done');
    expect(w.rebootStep).toMatchObject({ status: 'ready', enabled: true });
    // The preflight shown stays the one taken when entering (fw1 masters nothing now).
    expect(preflightLines(w.preflight)).toEqual(['198.18.0.0/24 vhid 1 moves to fw3.']);
    // Someone took fw1 out of maintenance meanwhile: step 2 again.
    const out = wizardView(labFleet({ fw3: { state: 'MASTER' }, fw1: { state: 'BACKUP' } }), s, false);
    expect(out.rebootStep.enabled).toBe(false);
    expect(out.enterStep.enabled).toBe(true);
  });

  it('nothing is enabled while a step runs, or on a read-only console', () => {
    const running: MaintenanceSession = { ...entered(newSession('fw1')), reboot: { status: 'running', op: 'r1', startedAt: 5 } };
    const w = wizardView(inMaintenanceFleet(), running, false);
    expect(w.busy).toBe(true);
    expect([w.enterStep, w.rebootStep, w.exitStep].some((x) => x.enabled)).toBe(false);
    expect(w.rebootStep.status).toBe('running');
    const ro = wizardView(labFleet(), newSession('fw1'), true);
    expect(ro.enterStep.enabled).toBe(false);
    expect(ro.enterStep.note).toMatch(/read-only/);
  });

  it('the reboot waits for a live host', () => {
    const f = inMaintenanceFleet();
    f.hosts[0] = { ...f.hosts[0], status: 'stale' };
    const w = wizardView(f, entered(newSession('fw1')), false);
    expect(w.rebootStep).toMatchObject({ status: 'blocked', enabled: false });
    expect(w.rebootStep.note).toMatch(/UNKNOWN/);
  });

  it('a stopped step says where and that the host is still in maintenance', () => {
    const s: MaintenanceSession = {
      ...entered(newSession('fw1')),
      reboot: settleMaintenance('r1', 5, result({ ok: false, step: 'stopped', stoppedAt: 'wait-agent', reason: 'fw1 is up but its agent did not report within 60000 ms', inMaintenance: true })),
    };
    const w = wizardView(inMaintenanceFleet(), s, false);
    expect(w.rebootStep.status).toBe('failed');
    expect(w.stopped).toEqual({ step: 'reboot', stoppedAt: 'wait-agent', reason: 'fw1 is up but its agent did not report within 60000 ms', inMaintenance: true });
    // The operator may still return the host to service.
    expect(w.exitStep.enabled).toBe(true);
  });

  it('an error thrown by the call is a failure too', () => {
    const s: MaintenanceSession = { ...newSession('fw1'), enter: { status: 'failed', startedAt: 1, error: { code: 'read-only', message: 'refused' } } };
    const w = wizardView(labFleet(), s, false);
    expect(w.enterStep.status).toBe('failed');
    expect(w.enterStep.enabled).toBe(true);
    expect(w.stopped?.reason).toBe('read-only: refused');
  });

  it('"Return to service" after the reboot', () => {
    const s: MaintenanceSession = { ...entered(newSession('fw1')), reboot: settleMaintenance('r1', 5, result()) };
    const w = wizardView(inMaintenanceFleet(), s, false);
    expect(w.rebootStep.status).toBe('done');
    expect(w.exitStep).toMatchObject({ status: 'ready', enabled: true });
    const done = wizardView(labFleet(), { ...s, exit: { status: 'done', startedAt: 9, result: { host: 'fw1', result: {} } } }, false);
    expect(done.exitStep.status).toBe('done');
    // The cycle is complete: the earlier steps stay done, nothing is offered again but "Start over".
    expect(done.enterStep).toMatchObject({ status: 'done', enabled: false });
    expect(done.rebootStep).toMatchObject({ status: 'done', enabled: false });
    expect(done.preflightStep.status).toBe('done');
  });
});

describe('returnChecks', () => {
  it('waits until the fleet shows fw1 back: demotion 0, maintenance off, MASTER again', () => {
    const s = entered(newSession('fw1'));
    const waiting = returnChecks(inMaintenanceFleet(), 'fw1', handedOver(s));
    expect(waiting.map((c) => [c.id, c.ok])).toEqual([
      ['live', true],
      ['maintenance', false],
      ['demote', false],
      ['198.18.0.0/24#1', false],
    ]);
    expect(waiting[3].text).toMatch(/fw1 took it back, MASTER again/);
    const back = returnChecks(labFleet(), 'fw1', handedOver(s));
    expect(back.every((c) => c.ok)).toBe(true);
  });
  it('expects BACKUP where the host does not preempt', () => {
    const f = labFleet({ fw1: { state: 'BACKUP', preempt: false }, fw3: { state: 'MASTER' } });
    const [, , , g] = returnChecks(f, 'fw1', mastered);
    expect(g.text).toMatch(/stays with fw3 \(it does not preempt\)/);
    expect(g.ok).toBe(true);
  });
});
