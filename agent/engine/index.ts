// agent/engine: the pure CARP state machine (one per vhid) and its contract.
export { initialState, step, wireValues, masterDownMs, advertIntervalMs, BOWOUT_ADVBASE, BOWOUT_ADVSKEW, MAINTENANCE_DEMOTE, MAINTENANCE_ADVSKEW } from './engine.js';
export type { EngineState, StepResult } from './engine.js';
export type { CarpState, EngineParams, PeerAdvert, EngineEvent, EngineAction, TimerName } from './types.js';
