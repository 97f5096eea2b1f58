// The app's one store: the console state reduced from events, plus what the UI asked the console
// (info, inventory, deploy run, maintenance sessions). React reads it with useSyncExternalStore.
import type { ConsoleInfo, DeployHostResult, InventoryView } from '../../electron/core/api.js';
import type { ConsoleEvent } from '../../electron/core/events.js';
import { initialState, reduceEvent, type ConsoleState } from './logic/state.js';
import { newSession, type CallError, type MaintenanceSession } from './logic/wizard.js';
import type { ConnectionState } from './ws-transport.js';

/**
 * Fleets (at most one per 40 ms from the core, unchanged groups shared) re-render the screens at
 * most this often: short enough for a state change to show within 100 ms (the console-ui bench), long
 * enough that a burst of changes makes one render.
 */
export const FLEET_RENDER_MS = 20;

export interface DeployRun {
  op: string;
  /** The hosts asked for; empty: every host of the inventory. */
  hosts: string[];
  startedAt: number;
  status: 'running' | 'done' | 'failed';
  results?: DeployHostResult[];
  error?: CallError;
}

export interface AppState {
  console: ConsoleState;
  connection: ConnectionState;
  info: ConsoleInfo | null;
  infoError?: CallError;
  inventory: InventoryView | null;
  deploy: DeployRun | null;
  sessions: Record<string, MaintenanceSession>;
}

export class Store {
  private state: AppState;
  private readonly listeners = new Set<() => void>();

  constructor(connection: ConnectionState) {
    this.state = { console: initialState, connection, info: null, inventory: null, deploy: null, sessions: {} };
  }

  getState = (): AppState => this.state;

  subscribe = (cb: () => void): (() => void) => {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  };

  private notifyTimer: ReturnType<typeof setTimeout> | null = null;
  private lastNotify = 0;

  private notify(): void {
    if (this.notifyTimer !== null) {
      clearTimeout(this.notifyTimer);
      this.notifyTimer = null;
    }
    this.lastNotify = Date.now();
    for (const l of [...this.listeners]) l();
  }

  private set(next: AppState, throttle = false): void {
    if (next === this.state) return;
    this.state = next;
    if (!throttle) return this.notify();
    // A fleet arrives with every heartbeat of every host: render at most every FLEET_RENDER_MS for those.
    if (this.notifyTimer !== null) return;
    const wait = this.lastNotify + FLEET_RENDER_MS - Date.now();
    if (wait <= 0) return this.notify();
    this.notifyTimer = setTimeout(() => this.notify(), wait);
  }

  event(e: ConsoleEvent, receivedAt = Date.now()): void {
    const c = reduceEvent(this.state.console, e, receivedAt);
    if (c !== this.state.console) this.set({ ...this.state, console: c }, e.type === 'fleet');
  }

  update(patch: Partial<Omit<AppState, 'console' | 'sessions'>>): void {
    this.set({ ...this.state, ...patch });
  }

  session(host: string): MaintenanceSession {
    return this.state.sessions[host] ?? newSession(host);
  }

  updateSession(host: string, fn: (s: MaintenanceSession) => MaintenanceSession): void {
    this.set({ ...this.state, sessions: { ...this.state.sessions, [host]: fn(this.session(host)) } });
  }
}
