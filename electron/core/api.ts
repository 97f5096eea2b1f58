// ConsoleApi: the one typed interface the renderer (over Electron IPC or WebSocket) and carpctl
// use. Plain data in and out; failures are thrown as ApiError {code, message} (serialisable).
// The argument schemas of every method are in contract.ts; the bindings are derived from there.
import type { ConsoleEvent } from './events.js';
import type { Fleet, HostView } from './fleet/types.js';
import type { GroupSpecInput } from './commands/group-spec.js';
import type { GroupFileInput } from './commands/balanced-spec.js';
import type { ApplyOutcome } from './commands/two-phase.js';
import type { MaintenanceResult } from './maintenance/driver.js';
import type { HostKeyVerdict, HostSpec } from './transport.js';
import type { HistoryPage, HistoryQuery } from './history/records.js';

export type { ConsoleEvent, Fleet, HostView, GroupSpecInput, ApplyOutcome, MaintenanceResult, HostKeyVerdict, HostSpec };

export type ApiErrorCode = 'invalid' | 'unknown-host' | 'unreachable' | 'refused' | 'timeout' | 'failed' | 'unavailable' | 'read-only';

export class ApiError extends Error {
  constructor(
    readonly code: string, // an ApiErrorCode, or a code passed through from an agent
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
  /** The version deployed (or attempted). */
  version?: string;
  error?: string;
  /** The version the host's agent reports at the end of the whole deploy (HostView.agentVersion), when known. */
  running?: string;
  /** Not attempted: a rolling upgrade stopped at an earlier host (`error` says where and why). */
  notAttempted?: boolean;
  /** A BSD host (kernel CARP): no agent is needed; what the console does instead. */
  kernel?: string;
}

/** ConsoleApi.deploy's options. */
export interface ConsoleDeployOptions extends OpOptions {
  /**
   * Restart every host at once, as for a first install (the old behaviour). Hosts that carry groups are
   * otherwise upgraded one at a time: maintenance on, handover, install, maintenance off, steady. With
   * `parallel`, a 'warning' deploy event names each host whose groups would be hit.
   */
  parallel?: boolean;
}

export type SetKey = 'advskew' | 'advbase' | 'preempt';

export interface CommandReply {
  host: string;
  result: unknown;
}

/** An operation id chosen by the caller: every progress event of that action carries it as `op`. */
export interface OpOptions {
  op?: string;
}

export interface MaintenanceEnterOptions extends OpOptions {
  reboot?: boolean;
  wait?: boolean;
  force?: boolean;
  autoExit?: boolean;
}

/** A host as the operator adds it by hand: name and address, the rest defaults like ssh (port 22, root). */
export interface HostSpecInput {
  name: string;
  address: string;
  port?: number;
  user?: string;
  identityFiles?: string[];
  jump?: string;
  tags?: string[];
}

/** Where imported hosts come from: a file the console can read, or its text (format detected). */
export type ImportSource = { path: string } | { text: string; name?: string };

export interface InventoryChange {
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: string[];
  /** The stored inventory after the change. */
  hosts: HostSpec[];
  /** Where it was stored (absent: the console runs on an inventory it does not write). */
  path?: string;
}

export interface InventoryView {
  hosts: HostSpec[];
  path?: string;
  /** false when the console was opened on a file it must not rewrite (carpctl --inventory lab.json). */
  writable: boolean;
}

/** What the UI needs to know about the console it talks to. */
export interface ConsoleInfo {
  version: string;
  /** Set by the binding: every action is refused there (wall display). */
  readOnly: boolean;
  /** A host whose agent has been silent this long is stale (shown as UNKNOWN). */
  staleMs: number;
  inventory?: string;
  /** Where confirmed host keys are recorded. */
  knownHostsFile?: string;
}

export interface SubscribeOptions {
  /** Deliver the current fleet first (a 'fleet' event), synchronously, then the changes. */
  snapshot?: boolean;
}

export interface ConsoleApi {
  info(): Promise<ConsoleInfo>;
  hosts(): Promise<HostView[]>;
  fleet(): Promise<Fleet>;
  inventory(): Promise<InventoryView>;
  /** Adds (or replaces, by name) one host; connects to it at once. */
  addHost(host: HostSpecInput): Promise<InventoryChange>;
  /** Merges the hosts of an ssh_config, Ansible inventory, lab JSON or inventory JSON; nothing is removed. */
  importHosts(source: ImportSource): Promise<InventoryChange>;
  removeHost(name: string): Promise<InventoryChange>;
  /**
   * Installs or upgrades the agent. Hosts with groups go one at a time (rolling, hitless: maintenance on
   * and handover first, steady after); hosts without groups or without a running agent go in parallel.
   */
  deploy(hosts?: string[], opts?: ConsoleDeployOptions): Promise<DeployHostResult[]>;
  /** Preview (dryRun: validate on every member, change nothing) or two-phase apply of one group, or of a balanced set (`balance`: one group per vhid, arpbalance on). */
  applyGroup(spec: GroupFileInput, opts?: { dryRun?: boolean } & OpOptions): Promise<ApplyOutcome>;
  deleteGroup(vhid: number, opts?: { segment?: string; dryRun?: boolean } & OpOptions): Promise<ApplyOutcome>;
  set(host: string, vhid: number, key: SetKey, value: number | boolean): Promise<CommandReply>;
  demote(host: string, op: 'set' | 'add', value: number): Promise<CommandReply>;
  maintenanceEnter(host: string, opts?: MaintenanceEnterOptions): Promise<MaintenanceResult>;
  maintenanceExit(host: string): Promise<CommandReply>;
  /**
   * net.inet.carp.allow: `false` makes the host hand over every group it masters (as maintenance does), then
   * stop taking part in CARP (no adverts, no VIP); `true` starts it again. The reply's result is the agent's
   * AllowStatus. `persist`: the host's agent keeps it off across restarts.
   */
  allow(host: string, on: boolean, opts?: { persist?: boolean }): Promise<CommandReply>;
  /** net.inet.carp.log: the syslog level (0..7) of the host's CARP messages, until its agent restarts. */
  setLog(host: string, level: number): Promise<CommandReply>;
  /** Every ConsoleEvent as it happens; returns unsubscribe. */
  subscribe(listener: (e: ConsoleEvent) => void, opts?: SubscribeOptions): () => void;
  /**
   * The host's SSH key: without a fingerprint, what it is (known, or unknown with the fingerprint to
   * confirm); with the fingerprint the operator confirmed, trusts that key and reconnects. A changed
   * key is refused (ApiError 'refused'), never trusted here.
   */
  trustHostKey(host: string, fingerprint?: string): Promise<HostKeyVerdict>;
  /** The recorded history (history/records.ts) between from and to, oldest first, at most HISTORY_REPLY_MAX records (the newest). */
  history(query: HistoryQuery): Promise<HistoryPage>;
}
