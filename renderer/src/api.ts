// Picks the transport to the console core: Electron's preload (window.carp) when present, else the
// web shell's WebSocket. The client is always createClient(transport): the contract's one method list.
import { createClient, type ClientTransport } from '../../electron/core/client.js';
import type { ConsoleClient } from '../../electron/core/contract.js';
import { WsTransport, wsUrl, type ConnectionState, type WsLike } from './ws-transport.js';

declare global {
  interface Window {
    /** What Electron's preload exposes through contextBridge (electron/preload/api.ts): the client's transport. */
    carp?: ClientTransport;
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
    const open: ConnectionState = { status: 'open', attempt: 0 };
    return { client: createClient(bridge), kind: 'electron', state: () => open, onState: () => () => {} };
  }
  const ws = new WsTransport({ url: wsUrl(win.location), open: (url) => new WebSocket(url) as unknown as WsLike });
  ws.start();
  return { client: createClient(ws), kind: 'web', state: () => ws.connection(), onState: (cb) => ws.onConnection(cb) };
}
