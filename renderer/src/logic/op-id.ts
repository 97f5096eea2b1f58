// Fresh operation ids for long actions (deploy, applyGroup, maintenanceEnter): every progress event of the
// action carries it as `op`. Must pass the contract's OpId (1..64 of A-Za-z0-9_.:-): small.test.ts checks it there.

/** crypto.randomUUID where the page is a secure context, else 16 random bytes in hex (plain http on a LAN). */
export function newOpId(prefix = 'ui'): string {
  const c = globalThis.crypto;
  let id: string;
  if (typeof c?.randomUUID === 'function') id = c.randomUUID();
  else if (typeof c?.getRandomValues === 'function') {
    id = Array.from(c.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  } else id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `${prefix}-${id}`.slice(0, 64);
}
