// The renderer's state, all of it derived from the console: the latest fleet (from 'fleet' events),
// the console-clock offset, a bounded list of recent events and progress per operation id. Pure reducer.
import type { ConsoleEvent } from '../../../electron/core/events.js';
import type { Fleet } from '../../../electron/core/fleet/types.js';
import { clockOffset } from './age.js';
import { keepInHistory } from './event-text.js';
import { reduceOps, type Ops } from './progress.js';

export const MAX_EVENTS = 500;

export interface ConsoleState {
  fleet: Fleet | null;
  /** Date.now() - fleet.at when the latest fleet arrived: subtract it from Date.now() for the console's clock. */
  offsetMs: number;
  events: ConsoleEvent[];
  ops: Ops;
}

export const initialState: ConsoleState = { fleet: null, offsetMs: 0, events: [], ops: {} };

export function reduceEvent(s: ConsoleState, e: ConsoleEvent, receivedAt: number): ConsoleState {
  if (e.type === 'fleet') return { ...s, fleet: e.fleet, offsetMs: clockOffset(e.fleet.at, receivedAt) };
  const ops = reduceOps(s.ops, e);
  const events = keepInHistory(e) ? [...s.events, e].slice(-MAX_EVENTS) : s.events;
  if (ops === s.ops && events === s.events) return s;
  return { ...s, ops, events };
}
