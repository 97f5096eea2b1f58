// Operator actions into the history: every ConsoleApi method the contract marks as mutating (for the
// arguments given) is wrapped so that its call, caller and outcome are recorded when it ends.
import { CONTRACT, METHODS, type MethodSpec } from '../contract.js';
import type { ConsoleApi } from '../api.js';
import type { HistoryService } from './service.js';

export function mutatesWith(method: string, args: unknown[]): boolean {
  const spec = (CONTRACT as Record<string, MethodSpec>)[method];
  if (!spec) return false;
  if (typeof spec.mutates === 'boolean') return spec.mutates;
  try {
    return (spec.mutates as (a: unknown[]) => boolean)(args);
  } catch {
    return true;
  }
}

/** Replaces each method of `api` (in place) by one that records the mutating calls in `history`. */
export function recordActions(api: ConsoleApi, history: Pick<HistoryService, 'action'>, now: () => number): void {
  const target = api as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const m of METHODS) {
    const spec = (CONTRACT as Record<string, MethodSpec>)[m];
    if (spec.mutates === false) continue;
    const original = target[m];
    target[m] = async (...args: unknown[]) => {
      if (!mutatesWith(m, args)) return original(...args);
      const at = now();
      try {
        const r = await original(...args);
        history.action(m, args, at);
        return r;
      } catch (e) {
        history.action(m, args, at, e);
        throw e;
      }
    };
  }
}
