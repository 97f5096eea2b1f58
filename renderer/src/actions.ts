// Long actions that must outlive the screen that started them: deploy and the maintenance steps.
// Each gets a fresh op id, records "running" in the store, then its result or error.
import type { ConsoleClient } from '../../electron/core/contract.js';
import { toCallError } from './logic/errors.js';
import { newOpId } from './logic/op-id.js';
import { settleMaintenance, type StepName } from './logic/wizard.js';
import type { Store } from './store.js';

export async function startDeploy(store: Store, client: ConsoleClient, hosts: string[]): Promise<void> {
  const op = newOpId('deploy');
  const startedAt = Date.now();
  store.update({ deploy: { op, hosts, startedAt, status: 'running' } });
  try {
    const results = await client.deploy(hosts.length ? hosts : undefined, { op });
    store.update({ deploy: { op, hosts, startedAt, status: results.every((r) => r.ok) ? 'done' : 'failed', results } });
  } catch (e) {
    store.update({ deploy: { op, hosts, startedAt, status: 'failed', error: toCallError(e) } });
  }
}

/** Reloads the inventory (addresses for the fleet table); a failure is kept in the store's inventory slot as is. */
export async function refreshInventory(store: Store, client: ConsoleClient): Promise<void> {
  try {
    store.update({ inventory: await client.inventory() });
  } catch {
    /* the fleet table then shows no addresses; the fleet itself still comes from events */
  }
}

/**
 * One step of "demote before reboot" on `host`:
 *  - enter: maintenanceEnter(host, {op, force}) without reboot: hand every group over, prove it;
 *  - reboot: maintenanceEnter(host, {op, reboot, wait, autoExit: false}): already in maintenance, so
 *    straight to the reboot, then wait for SSH and the agent;
 *  - exit: maintenanceExit(host).
 */
export async function runMaintenanceStep(store: Store, client: ConsoleClient, host: string, step: StepName): Promise<void> {
  const startedAt = Date.now();
  if (step === 'exit') {
    store.updateSession(host, (s) => ({ ...s, exit: { status: 'running', startedAt } }));
    try {
      const result = await client.maintenanceExit(host);
      store.updateSession(host, (s) => ({ ...s, exit: { status: 'done', startedAt, result } }));
    } catch (e) {
      store.updateSession(host, (s) => ({ ...s, exit: { status: 'failed', startedAt, error: toCallError(e) } }));
    }
    return;
  }
  const op = newOpId(step === 'enter' ? 'maint' : 'reboot');
  const force = store.session(host).force;
  // A new attempt at a step makes the later steps' old results meaningless.
  store.updateSession(host, (s) =>
    step === 'enter'
      ? { ...s, enter: { status: 'running', op, startedAt }, reboot: { status: 'idle' }, exit: { status: 'idle' } }
      : { ...s, reboot: { status: 'running', op, startedAt }, exit: { status: 'idle' } },
  );
  try {
    const result =
      step === 'enter'
        ? await client.maintenanceEnter(host, { op, ...(force ? { force: true } : {}) })
        : await client.maintenanceEnter(host, { op, reboot: true, wait: true, autoExit: false });
    store.updateSession(host, (s) => ({ ...s, [step]: settleMaintenance(op, startedAt, result) }));
  } catch (e) {
    store.updateSession(host, (s) => ({ ...s, [step]: { status: 'failed', op, startedAt, error: toCallError(e) } }));
  }
}
