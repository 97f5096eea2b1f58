// Failed calls in words: the core's code as a short English lead-in, then its message. Never swallowed.
import type { CallError } from './wizard.js';

const LEAD: Record<string, string> = {
  invalid: 'Invalid input',
  'unknown-host': 'Unknown host',
  unreachable: 'Host unreachable',
  refused: 'Refused',
  timeout: 'Timed out',
  failed: 'Failed',
  unavailable: 'Not available',
  'read-only': 'Refused: this console is read-only',
  disconnected: 'Connection lost',
};

export function errorLead(code: string): string {
  return LEAD[code] ?? `Failed (${code})`;
}

/** Any thrown value as {code, message}: RemoteError carries both; anything else is 'failed'. */
export function toCallError(e: unknown): CallError {
  if (e && typeof e === 'object') {
    const x = e as { code?: unknown; message?: unknown };
    if (typeof x.message === 'string') return { code: typeof x.code === 'string' ? x.code : 'failed', message: x.message };
  }
  return { code: 'failed', message: String(e) };
}
