// The server half of every binding (Electron IPC, WebSocket): takes an untrusted {method, args},
// validates it against the contract, refuses changes in read-only mode, calls the core and turns any
// failure into {code, message}. Transports add only their own sender checks.
import { ApiError, type ConsoleApi } from './api.js';
import { CONTRACT, METHODS, type CallReply, type Method, type MethodSpec } from './contract.js';
import { z } from 'zod';
import { describeIssues } from '../../agent/config/schema.js';

export interface DispatchOptions {
  readOnly?: boolean;
}

export type Dispatcher = (method: unknown, args: unknown) => Promise<CallReply>;

const fail = (code: string, message: string): CallReply => ({ ok: false, error: { code, message } });

/** "argument 2.members[0].advskew: must be 0..254": the one formatter, arguments counted from 1 as a person would. */
function describeArgs(error: z.ZodError): string {
  const issues = error.issues.map((i) => {
    const [first, ...rest] = i.path;
    if (first === undefined) return { ...i, path: ['arguments'] };
    return typeof first === 'number' ? { ...i, path: [`argument ${first + 1}`, ...rest] } : i;
  });
  return describeIssues(new z.ZodError(issues)).join('; ');
}

export function createDispatcher(api: ConsoleApi, opts: DispatchOptions = {}): Dispatcher {
  return async (method, rawArgs) => {
    if (typeof method !== 'string' || !(METHODS as string[]).includes(method)) {
      return fail('invalid', `unknown method ${JSON.stringify(method)?.slice(0, 80)}; this console offers ${METHODS.join(', ')}`);
    }
    const m = method as Method;
    if (!Array.isArray(rawArgs)) return fail('invalid', `${m}: arguments must be an array`);
    // JSON turns an omitted argument into null: read it back as "not given".
    const given = (rawArgs as unknown[]).map((a) => (a === null ? undefined : a));
    while (given.length && given[given.length - 1] === undefined) given.pop();
    const spec: MethodSpec = CONTRACT[m];
    const parsed = spec.args.safeParse(given);
    if (!parsed.success) return fail('invalid', `${m}: ${describeArgs(parsed.error)}`);
    const args = parsed.data as unknown[];
    const mutates = typeof spec.mutates === 'function' ? (spec.mutates as (a: unknown[]) => boolean)(args) : spec.mutates;
    if (opts.readOnly && mutates) return fail('read-only', `${m} is refused: this console is read-only (started with --read-only)`);
    try {
      const fn = (api[m] as (...a: unknown[]) => Promise<unknown>).bind(api);
      let result: unknown = await fn(...args);
      if (m === 'info') result = { ...(result as object), readOnly: !!opts.readOnly };
      return { ok: true, result };
    } catch (e) {
      if (e instanceof ApiError) return fail(e.code, e.message);
      return fail('failed', e instanceof Error ? e.message : String(e));
    }
  };
}
