// Everything the console core tells its subscribers (UI, `carpctl events --follow`), as one
// serialisable union, and the bus that delivers it as it happens.
import type { AgentEvent } from '../../agent/control/messages.js';
import type { Fleet, HostStatus } from './fleet/types.js';

/** The steps of a deploy to one host, in order (a progress bar is the index of the step reached). */
export const DEPLOY_STEPS = ['connect', 'detect', 'check-node', 'upload', 'verify', 'install-service', 'start', 'handshake', 'done'] as const;
/**
 * The steps of a rolling (hitless) upgrade of one host that carries groups, in order: waiting its turn,
 * maintenance on and the handover proven by the successor's agent, the deploy itself (DEPLOY_STEPS up to
 * the handshake; 'installed' is its end), maintenance off, steady (live, BACKUP or MASTER again, no
 * error finding for its groups), done. 'warning' says a parallel deploy hits a host's groups.
 */
export const ROLLING_DEPLOY_STEPS = [
  'queued',
  'maintenance-on',
  'handover',
  'connect',
  'detect',
  'check-node',
  'upload',
  'verify',
  'install-service',
  'start',
  'handshake',
  'installed',
  'maintenance-off',
  'steady',
  'done',
] as const;
export type DeployStep = (typeof DEPLOY_STEPS)[number] | (typeof ROLLING_DEPLOY_STEPS)[number] | 'warning' | 'failed' | 'rolled-back';

/** The steps of "demote before reboot", in order; 'stopped' ends it early and says where. */
export const MAINTENANCE_STEPS = ['preflight', 'maintenance-on', 'handover', 'reboot', 'wait-host', 'wait-agent', 'maintenance-off', 'done'] as const;
export type MaintenanceStep = (typeof MAINTENANCE_STEPS)[number] | 'stopped';

/** What a two-phase group apply reports, per host or for the whole operation. */
export type ApplyStep = 'validate' | 'refused' | 'apply' | 'applied' | 'unchanged' | 'failed' | 'unknown' | 'rolled-back' | 'rollback-failed' | 'done';

export type ConsoleEvent =
  | { type: 'host'; at: number; host: string; status: HostStatus; error?: string }
  | { type: 'fleet'; at: number; fleet: Fleet }
  /** An agent's event relayed as is; `receivedAt` is when the console read its line. */
  | { type: 'agent'; at: number; receivedAt: number; host: string; event: AgentEvent }
  /** `op`: the operation id the caller gave (ConsoleApi OpOptions); `progress`: 0..1 through DEPLOY_STEPS (ROLLING_DEPLOY_STEPS for a host upgraded in turn). */
  | { type: 'deploy'; at: number; op?: string; host: string; step: DeployStep; progress: number; detail?: string }
  | { type: 'apply'; at: number; op?: string; host?: string; step: ApplyStep; detail?: string }
  /** A 'handover' step with `group` and `to` says that group's new master reported MASTER itself. */
  | { type: 'maintenance'; at: number; op?: string; host: string; step: MaintenanceStep; group?: string; to?: string; detail?: string }
  /** The operator confirmed a host's SSH key and the console recorded it. */
  | { type: 'host-key'; at: number; host: string; keyType: string; fingerprint: string; file: string }
  | { type: 'error'; at: number; host?: string; code: string; message: string };

export type Listener = (e: ConsoleEvent) => void;

/** Synchronous fan-out; a listener that throws is reported on the others' error channel, never breaks the bus. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.unsubscribe(listener);
  }

  unsubscribe(listener: Listener): void {
    this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }

  emit(e: ConsoleEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        if (e.type === 'error') continue;
        const msg = err instanceof Error ? err.message : String(err);
        for (const other of [...this.listeners]) {
          if (other === l) continue;
          try {
            other({ type: 'error', at: e.at, code: 'listener', message: `an event listener threw on a ${e.type} event: ${msg}` });
          } catch {
            /* a listener that throws on errors too is ignored */
          }
        }
      }
    }
  }
}
