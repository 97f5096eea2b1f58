// Picks the transport to the console core: Electron's preload (window.carp) when present, else the
// web shell's WebSocket. The client is always createClient(transport): the contract's one method list.
import { createClient, type ClientTransport } from '../../electron/core/client.js';
import type { CallReply, ConsoleClient, Method } from '../../electron/core/contract.js';
import type { ConsoleEvent } from '../../electron/core/events.js';
import { WsTransport, wsUrl, type ConnectionState, type WsLike } from './ws-transport.js';

/** What Electron's preload exposes through contextBridge. */
export interface CarpBridge {
  call(method: string, args: unknown[]): Promise<CallReply>;
  subscribe(listener: (e: ConsoleEvent) => void): () => void;
}

declare global {
  interface Window {
    carp?: CarpBridge;
  }
}

export interface Connection {
  client: ConsoleClient;
  /** 'electron' or 'web': shown nowhere important, useful in tests. */
  kind: 'electron' | 'web';
  state(): ConnectionState;
  onState(cb: (s: ConnectionState) => void): () => void;
}

export function connect(win: Window = window): Connection {
  const bridge = win.carp;
  if (bridge) {
    const t: ClientTransport = {
      call: (m: Method, args: unknown[]) => bridge.call(m, args),
      subscribe: (l) => bridge.subscribe(l),
    };
    const open: ConnectionState = { status: 'open', attempt: 0 };
    return { client: createClient(t), kind: 'electron', state: () => open, onState: () => () => {} };
  }
  const ws = new WsTransport({ url: wsUrl(win.location), open: (url) => new WebSocket(url) as unknown as WsLike });
  ws.start();
  return { client: createClient(ws), kind: 'web', state: () => ws.connection(), onState: (cb) => ws.onConnection(cb) };
}
