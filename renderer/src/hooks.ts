// React glue: the store and client in context, selectors over the store, a ticking console clock,
// the hash route, and useAction (one call's pending / result / error, shown next to its button).
import { createContext, useCallback, useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ConsoleClient } from '../../electron/core/contract.js';
import { consoleNow } from './logic/age.js';
import type { AppState, Store } from './store.js';
import { parseRoute, type Route } from './logic/route.js';
import { toCallError } from './logic/errors.js';
import type { CallError } from './logic/wizard.js';

export interface AppContextValue {
  store: Store;
  client: ConsoleClient;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const v = useContext(AppContext);
  if (!v) throw new Error('useApp outside <AppContext.Provider>');
  return v;
}

export function useAppState<T>(select: (s: AppState) => T): T {
  const { store } = useApp();
  return useSyncExternalStore(store.subscribe, () => select(store.getState()));
}

/** Whether actions may be offered: false on a read-only console (the server refuses them anyway). */
export function useCanAct(): boolean {
  return useAppState((s) => !s.info?.readOnly);
}

/** The console's clock, re-rendering every `everyMs` so ages count up. */
export function useConsoleNow(everyMs = 1000): number {
  const offset = useAppState((s) => s.console.offsetMs);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(t);
  }, [everyMs]);
  return consoleNow(now, offset);
}

export function useRoute(): Route {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const on = () => setHash(window.location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return parseRoute(hash);
}

export interface ActionState<T> {
  pending: boolean;
  result?: T;
  error?: CallError;
}

/** Runs one call at a time and keeps its outcome; an error is kept to be shown, never swallowed. */
export function useAction<T>(): ActionState<T> & { run: (fn: () => Promise<T>) => Promise<T | undefined>; reset: () => void } {
  const [state, setState] = useState<ActionState<T>>({ pending: false });
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  const run = useCallback(async (fn: () => Promise<T>) => {
    setState({ pending: true });
    try {
      const result = await fn();
      if (alive.current) setState({ pending: false, result });
      return result;
    } catch (e) {
      if (alive.current) setState({ pending: false, error: toCallError(e) });
      return undefined;
    }
  }, []);
  const reset = useCallback(() => setState({ pending: false }), []);
  return { ...state, run, reset };
}
