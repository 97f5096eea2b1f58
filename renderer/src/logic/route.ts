// The hash route: #/fleet, #/groups, #/host/NAME (links work in Electron and the web shell alike).

export type Route = { view: 'fleet' } | { view: 'groups' } | { view: 'host'; host: string };

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  if (h.startsWith('host/')) {
    let host = h.slice(5);
    try {
      host = decodeURIComponent(host);
    } catch {
      /* keep it raw */
    }
    if (host) return { view: 'host', host };
  }
  if (h === 'groups') return { view: 'groups' };
  return { view: 'fleet' };
}

export function hrefOf(r: Route): string {
  return r.view === 'host' ? `#/host/${encodeURIComponent(r.host)}` : `#/${r.view}`;
}
