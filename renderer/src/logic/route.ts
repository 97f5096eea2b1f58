// The hash route: #/fleet, #/groups, #/timeline, #/host/NAME (links work in Electron and the web shell alike).

export type Route = { view: 'fleet' } | { view: 'groups' } | { view: 'timeline' } | { view: 'host'; host: string };

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
  if (h === 'timeline') return { view: 'timeline' };
  return { view: 'fleet' };
}

export function hrefOf(r: Route): string {
  return r.view === 'host' ? `#/host/${encodeURIComponent(r.host)}` : `#/${r.view}`;
}
