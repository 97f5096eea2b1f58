// The client half of every binding: a ConsoleClient built from the contract's method list over any
// transport that can carry one call and deliver events. The renderer and tests use it; no Node here.
import { METHODS, type CallReply, type ConsoleClient, type Method } from './contract.js';
import type { ConsoleEvent } from './events.js';

export interface ClientTransport {
  call(method: Method, args: unknown[]): Promise<CallReply>;
  /** Starts the event stream (the fleet first); returns a function that stops it. */
  subscribe(listener: (e: ConsoleEvent) => void): () => void;
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
  const client = { subscribe: (l: (e: ConsoleEvent) => void) => t.subscribe(l) } as Record<string, unknown>;
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
