// The client half of every binding: a ConsoleClient built from the contract's method list over any
// transport that can carry one call and deliver events. The renderer and tests use it; no Node here.
import { METHODS, type CallReply, type ConsoleClient, type Method, type WireEvent } from './contract.js';
import type { ConsoleEvent } from './events.js';
import { fleetAssembler } from './fleet/delta.js';
import type { Fleet } from './fleet/types.js';

export interface ClientTransport {
  call(method: Method, args: unknown[]): Promise<CallReply>;
  /** Starts the event stream (the fleet first, then its updates); returns a function that stops it. */
  subscribe(listener: (e: WireEvent) => void): () => void;
}

/** A failed call as the UI sees it: the core's code and message. */
export class RemoteError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

export function createClient(t: ClientTransport): ConsoleClient {
  const client = { subscribe: fleetEvents(t) } as Record<string, unknown>;
  for (const m of METHODS) {
    client[m] = async (...args: unknown[]) => {
      while (args.length && args[args.length - 1] === undefined) args.pop();
      const r = await t.call(m, args);
      if (!r.ok) throw new RemoteError(r.error.code, r.error.message);
      return r.result;
    };
  }
  return client as unknown as ConsoleClient;
}

/**
 * The client's subscribe: one stream from the transport, kept for the client's life, its fleet updates
 * assembled into whole fleets ('fleet' events whose unchanged hosts and groups stay the same objects, so
 * the UI redraws only what changed). A listener that joins late starts with the fleet as it is now.
 */
function fleetEvents(t: ClientTransport): (l: (e: ConsoleEvent) => void) => () => void {
  const listeners = new Set<(e: ConsoleEvent) => void>();
  const assemble = fleetAssembler();
  let fleet: Fleet | null = null;
  let started = false;
  const deliver = (e: ConsoleEvent) => {
    for (const l of [...listeners]) l(e);
  };
  const onWire = (w: WireEvent) => {
    if (w.type !== 'fleet-update') return deliver(w);
    try {
      fleet = assemble(w.update);
    } catch (e) {
      return deliver({ type: 'error', at: w.at, code: 'fleet-update', message: (e as Error).message });
    }
    deliver({ type: 'fleet', at: w.at, fleet });
  };
  return (l) => {
    listeners.add(l);
    if (!started) {
      started = true;
      t.subscribe(onWire);
    } else if (fleet) l({ type: 'fleet', at: fleet.at, fleet });
    return () => {
      listeners.delete(l);
    };
  };
}
