// Structural sharing between successive fleets: a host or group whose content did not change keeps the
// previous fleet's object. Senders then find what changed by identity (delta.ts), and a UI redraws only
// what changed. Pure; `sameData` compares plain JSON-like data (what a fleet is made of).

export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** `next`'s items, each replaced by the item of `prev` with the same key when its content is the same. */
export function shareItems<T>(prev: readonly T[], next: T[], key: (t: T) => string): T[] {
  const old = new Map(prev.map((t) => [key(t), t]));
  let changed = prev.length !== next.length;
  const out = next.map((t, i) => {
    const p = old.get(key(t));
    if (p !== undefined && sameData(p, t)) {
      if (prev[i] !== p) changed = true;
      return p;
    }
    changed = true;
    return t;
  });
  // the whole list unchanged: keep the previous array too
  return changed ? out : (prev as T[]);
}
