// The web shell's gatekeeping: the session token (query or cookie, compared in constant time), the
// Host/Origin checks against DNS rebinding and cross-site pages, and the headers every response carries.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const newToken = (): string => randomBytes(32).toString('base64url');

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
export function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(h(given), h(token));
}

/** Cookies are shared by every port of a host: the name carries the port, so two consoles never clobber each other. */
export const cookieName = (port: number): string => `carp_console_${port}`;

export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export type Verdict = { ok: true; viaQuery: boolean } | { ok: false; status: 401 | 403; message: string };

export const unauthorised = (port: number): string =>
  `carp-console: not authorised. Open the URL the server printed when it started (http://127.0.0.1:${port}/?token=…).\n`;

/** Who may talk to this server: the right Host (and Origin if any), and the token in the query or the cookie. */
export function checkRequest(req: IncomingMessage, url: URL, port: number, token: string): Verdict {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!hosts.includes(req.headers.host ?? '')) {
    return { ok: false, status: 403, message: `carp-console: refused: Host must be ${hosts.join(' or ')}.\n` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !hosts.some((h) => origin === `http://${h}`)) {
    return { ok: false, status: 403, message: 'carp-console: refused: requests from other sites are not allowed.\n' };
  }
  if (sameToken(url.searchParams.get('token') ?? undefined, token)) return { ok: true, viaQuery: true };
  if (sameToken(cookieValue(req, cookieName(port)), token)) return { ok: true, viaQuery: false };
  return { ok: false, status: 401, message: unauthorised(port) };
}

export function securityHeaders(port: number): Record<string, string> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  };
}
