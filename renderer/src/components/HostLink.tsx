// A host's name as a link to its host view (click a host anywhere).
import { hrefOf } from '../logic/route.js';

export function HostLink({ host, className }: { host: string; className?: string }) {
  return (
    <a className={className ? `host-link ${className}` : 'host-link'} href={hrefOf({ view: 'host', host })}>
      {host}
    </a>
  );
}
