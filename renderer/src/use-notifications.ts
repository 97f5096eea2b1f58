// The thin side of notifications (the decisions are in logic/notify.ts): watches the store's fleet, keeps
// per-group mutes in localStorage, and sends each coalesced notice with the web Notification API (in
// Electron's renderer the same API shows a native desktop notification).
import { useEffect, useSyncExternalStore } from 'react';
import type { GroupKey } from '../../electron/core/fleet/types.js';
import { useApp } from './hooks.js';
import { Coalescer, diffFleets, parseMuted, serializeMuted, unmuted, type Notice } from './logic/notify.js';

export const MUTED_KEY = 'carp-console.notifications.muted';

// ---- mutes: one small store over localStorage, shared by the hook and the settings panel ----
const listeners = new Set<() => void>();
let muted: Set<GroupKey> = readMuted();

function readMuted(): Set<GroupKey> {
  try {
    return parseMuted(window.localStorage.getItem(MUTED_KEY));
  } catch {
    return new Set();
  }
}

export function setMuted(group: GroupKey, on: boolean): void {
  const next = new Set(muted);
  if (on) next.add(group);
  else next.delete(group);
  muted = next;
  try {
    window.localStorage.setItem(MUTED_KEY, serializeMuted(next));
  } catch {
    /* storage refused (private mode): the mute lasts for this page only */
  }
  for (const l of [...listeners]) l();
}

export function useMuted(): ReadonlySet<GroupKey> {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => muted,
  );
}

// ---- what was sent, for the settings panel ----
const sentListeners = new Set<() => void>();
let sent: Array<Notice & { at: number; shown: boolean }> = [];

export function useSentNotices(): typeof sent {
  return useSyncExternalStore(
    (cb) => {
      sentListeners.add(cb);
      return () => sentListeners.delete(cb);
    },
    () => sent,
  );
}

export type Permission = NotificationPermission | 'unsupported';

export function notificationPermission(): Permission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

function send(n: Notice): void {
  const shown = notificationPermission() === 'granted';
  if (shown) {
    try {
      new Notification(n.title, { body: n.body, tag: n.tag });
    } catch {
      /* a browser that refuses the constructor (some mobile ones): the panel still lists it */
    }
  }
  sent = [{ ...n, at: Date.now(), shown }, ...sent].slice(0, 5);
  for (const l of [...sentListeners]) l();
}

/** Watches the fleet for master changes and new error findings; one notification per coalescing window. */
export function useNotifications(): void {
  const { store } = useApp();
  useEffect(() => {
    const coalescer = new Coalescer();
    let prev = store.getState().console.fleet;
    let timer: number | undefined;
    const schedule = () => {
      const due = coalescer.dueAt();
      if (due === null || timer !== undefined) return;
      timer = window.setTimeout(
        () => {
          timer = undefined;
          const n = coalescer.take(Date.now());
          if (n) send(n);
          schedule();
        },
        Math.max(0, due - Date.now()),
      );
    };
    const unsubscribe = store.subscribe(() => {
      const next = store.getState().console.fleet;
      if (!next || next === prev) return;
      const items = unmuted(diffFleets(prev, next), muted);
      prev = next;
      coalescer.add(items, Date.now());
      schedule();
    });
    return () => {
      unsubscribe();
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }, [store]);
}
