// Dev harness only: a tiny static server for dist/renderer with the web shell's strict CSP header, so
// the screens are looked at under the same policy (no inline script or style may slip in). Optionally a
// fake /ws endpoint (fleet snapshot + info only) to look at the WebSocket transport and its reconnect banner.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml' };
export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export interface FakeWs {
  /** Tokens seen on /ws?token=… */
  tokens: string[];
  /** Refuse new sockets and close the open ones (the console went away). */
  drop(): void;
  /** Accept sockets again. */
  restore(): void;
}

export async function serveStatic(dir: string, wsFleet?: () => unknown): Promise<{ url: string; ws: FakeWs; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => void serveFile(dir, req.url, res));
  const wss = new WebSocketServer({ noServer: true });
  const open = new Set<WebSocket>();
  let refusing = false;
  const fake: FakeWs = {
    tokens: [],
    drop() {
      refusing = true;
      for (const s of open) s.close(1001, 'console stopped');
    },
    restore() {
      refusing = false;
    },
  };
  server.on('upgrade', (req, socket, head) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (!wsFleet || refusing || u.pathname !== '/ws') {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    fake.tokens.push(u.searchParams.get('token') ?? '');
    wss.handleUpgrade(req, socket, head, (ws) => {
      open.add(ws);
      ws.on('close', () => open.delete(ws));
      ws.on('message', (data) => {
        const m = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8')) as { id?: number; method?: string; subscribe?: boolean };
        if (m.subscribe) ws.send(JSON.stringify({ event: { type: 'fleet', at: Date.now(), fleet: { ...(wsFleet() as object), at: Date.now() } } }));
        else if (m.method === 'info') ws.send(JSON.stringify({ id: m.id, reply: { ok: true, result: { version: '0.1.0-ws', readOnly: false, staleMs: 3000 } } }));
        else if (m.method === 'inventory') ws.send(JSON.stringify({ id: m.id, reply: { ok: true, result: { hosts: [], writable: true } } }));
        else ws.send(JSON.stringify({ id: m.id, reply: { ok: false, error: { code: 'unavailable', message: `${m.method} is not in this dev fake` } } }));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    ws: fake,
    close: () =>
      new Promise((r) => {
        for (const s of open) s.terminate();
        wss.close();
        server.close(() => r());
      }),
  };
}

async function serveFile(dir: string, url: string | undefined, res: ServerResponse): Promise<void> {
  const path = normalize(decodeURIComponent(new URL(url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  const file = join(dir, path === '/' ? 'index.html' : path);
  if (!file.startsWith(dir)) {
    res.writeHead(403).end();
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' });
    res.end(body);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  }
}
