// ConsoleApi: the one typed interface the renderer (over Electron IPC or WebSocket) and carpctl
// use. Plain data in and out; failures are thrown as ApiError {code, message} (serialisable).
import type { ConsoleEvent } from './events.js';
import type { Fleet, HostView } from './fleet/types.js';
import type { GroupSpecInput } from './commands/group-spec.js';
import type { ApplyOutcome } from './commands/two-phase.js';
import type { MaintenanceResult } from './maintenance/driver.js';
import type { HostKeyVerdict } from './transport.js';

export type { ConsoleEvent, Fleet, HostView, GroupSpecInput, ApplyOutcome, MaintenanceResult, HostKeyVerdict };

export type ApiErrorCode = 'invalid' | 'unknown-host' | 'unreachable' | 'refused' | 'timeout' | 'failed' | 'unavailable';

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode | string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

export interface DeployHostResult {
  host: string;
  ok: boolean;
  version?: string;
  error?: string;
}

export type SetKey = 'advskew' | 'advbase' | 'preempt';

export interface CommandReply {
  host: string;
  result: unknown;
}

export interface MaintenanceEnterOptions {
  reboot?: boolean;
  wait?: boolean;
  force?: boolean;
  autoExit?: boolean;
}

export interface ConsoleApi {
  hosts(): Promise<HostView[]>;
  fleet(): Promise<Fleet>;
  deploy(hosts?: string[]): Promise<DeployHostResult[]>;
  /** Preview (dryRun: validate on every member, change nothing) or two-phase apply of one group. */
  applyGroup(spec: GroupSpecInput, opts?: { dryRun?: boolean }): Promise<ApplyOutcome>;
  deleteGroup(vhid: number, opts?: { segment?: string; dryRun?: boolean }): Promise<ApplyOutcome>;
  set(host: string, vhid: number, key: SetKey, value: number | boolean): Promise<CommandReply>;
  demote(host: string, op: 'set' | 'add', value: number): Promise<CommandReply>;
  maintenanceEnter(host: string, opts?: MaintenanceEnterOptions): Promise<MaintenanceResult>;
  maintenanceExit(host: string): Promise<CommandReply>;
  /** Every ConsoleEvent as it happens; returns unsubscribe. */
  subscribe(listener: (e: ConsoleEvent) => void): () => void;
  /**
   * The host's SSH key: without a fingerprint, what it is (known, or unknown with the fingerprint to
   * confirm); with the fingerprint the operator confirmed, trusts that key and reconnects. A changed
   * key is refused (ApiError 'refused'), never trusted here.
   */
  trustHostKey(host: string, fingerprint?: string): Promise<HostKeyVerdict>;
}
