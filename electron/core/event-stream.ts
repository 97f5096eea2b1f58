// One page's event stream (a web client or an Electron window), shared by both bindings: fleets are
// paced (fleet/pacer.ts) and sent as deltas against what this page already holds (fleet/delta.ts);
// every other event goes at once, as the core emitted it.
import type { WireEvent } from './contract.js';
import type { ConsoleEvent } from './events.js';
import { fleetDiffer } from './fleet/delta.js';
import { fleetPacer, FLEET_SEND_GAP_MS } from './fleet/pacer.js';
import type { Fleet } from './fleet/types.js';

export interface EventStream {
  push(e: ConsoleEvent): void;
  /** The page went away: drops a held fleet. */
  stop(): void;
}

export function eventStream(send: (e: WireEvent) => void, gapMs = FLEET_SEND_GAP_MS): EventStream {
  const diff = fleetDiffer();
  const fleets = fleetPacer<Fleet>((fleet) => send({ type: 'fleet-update', at: fleet.at, update: diff(fleet) }), gapMs);
  return {
    push: (e) => (e.type === 'fleet' ? fleets.push(e.fleet) : send(e)),
    stop: () => fleets.stop(),
  };
}
