// The web shell's server: the built renderer and ConsoleApi over HTTP + WebSocket on 127.0.0.1,
// behind a per-run token (query once, then an HttpOnly cookie). Used by `npm run serve` and e2e tests.
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ConsoleApi } from '../core/api.js';
import { MAX_MESSAGE_BYTES } from '../core/contract.js';
import { createDispatcher } from '../core/dispatch.js';
import { checkRequest, cookieName, newToken, securityHeaders } from './guard.js';
import { serveStatic, text } from './static.js';
import { runSession } from './ws-session.js';

export interface WebServerOptions {
  api: ConsoleApi;
  /** Every mutating call is refused by the dispatcher (wall display). */
  readOnly?: boolean;
  /** 0 (default): a free port. */
  port?: number;
  /** The built renderer: index.html and its assets. */
  staticDir: string;
  /** Default: 32 random bytes, base64url. */
  token?: string;
  /** Keepalive: a socket that has not answered the previous ping by the next one is dropped. Default 30 s. */
  pingIntervalMs?: number;
  /** A client that leaves this much output unread is closed (1013). Default 8 MiB. */
  maxBufferedBytes?: number;
}

export interface WebServer {
  /** http://127.0.0.1:PORT/?token=… — the one URL to open. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? newToken();
  if (!token) throw new Error('startWebServer: token must not be empty');
  const dispatch = createDispatcher(opts.api, { readOnly: !!opts.readOnly });
  // ws closes a socket outright (1009) above maxPayload; frames between MAX_MESSAGE_BYTES and this hard
  // cap get a typed 'invalid' reply instead, so a caller learns its message was too large.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * MAX_MESSAGE_BYTES });
  let port = 0;
  let headers: Record<string, string> = {};

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    const v = checkRequest(req, url, port, token);
    if (!v.ok) return text(res, v.status, v.message);
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'carp-console: only GET and HEAD.\n', { Allow: 'GET, HEAD' });
    if (v.viaQuery) res.setHeader('Set-Cookie', `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    serveStatic(req, res, opts.staticDir, url.pathname).catch(() => {
      if (!res.headersSent) text(res, 500, 'carp-console: internal error.\n');
      else res.destroy();
    });
  };

  const refuse = (socket: Duplex, status: number, message: string): void => {
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(message)}\r\n${extra}\r\n${message}`,
      () => socket.destroy(),
    );
  };

  const server = createServer(onRequest);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    const v = checkRequest(req, url, port, token);
    if (!v.ok) return refuse(socket, v.status, v.message);
    if (url.pathname !== '/ws') return refuse(socket, 404, 'carp-console: the WebSocket is at /ws.\n');
    wss.handleUpgrade(req, socket, head, (ws) => {
      alive.set(ws, true);
      ws.on('pong', () => alive.set(ws, true));
      runSession(ws, { api: opts.api, dispatch, maxBufferedBytes: opts.maxBufferedBytes ?? 8 << 20 });
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  const alive = new WeakMap<WebSocket, boolean>();
  const keepalive = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, opts.pingIntervalMs ?? 30_000);
  keepalive.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((e) => {
    clearInterval(keepalive);
    throw e;
  });
  port = (server.address() as { port: number }).port;
  headers = securityHeaders(port);

  let closed: Promise<void> | null = null;
  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    token,
    close() {
      closed ??= new Promise<void>((resolve) => {
        clearInterval(keepalive);
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
