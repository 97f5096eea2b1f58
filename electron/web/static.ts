// Serves the built renderer (dist/renderer) read-only: GET/HEAD, no way out of the directory
// (resolved, real paths checked against the root), content types, and no caching of index.html.
import { createReadStream, existsSync, promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const NOT_FOUND = 'carp-console: not found.\n';

/** Answers one GET/HEAD for `pathname` (still percent-encoded) from `root`. */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, pathname: string): Promise<void> {
  const base = resolve(root);
  if (!existsSync(join(base, 'index.html'))) {
    return text(res, 503, `carp-console: the UI is not built (no index.html in ${base}). Run \`npm run build:ui\`, then reload.\n`);
  }
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return text(res, 400, 'carp-console: bad path.\n');
  }
  if (path.includes('\0') || path.includes('\\')) return text(res, 404, NOT_FOUND);
  if (path.endsWith('/')) path += 'index.html';
  const file = resolve(base, '.' + path);
  if (!file.startsWith(base + sep)) return text(res, 404, NOT_FOUND);
  let real: string;
  let size: number;
  try {
    // A symlink inside the build must not lead out of it either.
    real = await fs.realpath(file);
    const st = await fs.stat(real);
    if (!st.isFile() || !real.startsWith((await fs.realpath(base)) + sep)) return text(res, 404, NOT_FOUND);
    size = st.size;
  } catch {
    return text(res, 404, NOT_FOUND);
  }
  const isHtml = extname(real) === '.html';
  res.writeHead(200, {
    'Content-Type': TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': size,
    'Cache-Control': isHtml ? 'no-store' : 'no-cache',
  });
  if (req.method === 'HEAD') return void res.end();
  const stream = createReadStream(real);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
