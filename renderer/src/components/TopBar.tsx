// The top bar: product name, the views (Fleet, Groups, the open host) as links with aria-current,
// the read-only badge and the console's version.
import { hrefOf, type Route } from '../logic/route.js';
import { useAppState } from '../hooks.js';
import { NotificationsButton } from './NotificationsButton.js';

export function TopBar({ route, lastHost }: { route: Route; lastHost: string | null }) {
  const info = useAppState((s) => s.info);
  const current = (v: Route['view'], host?: string) => (route.view === v && (v !== 'host' || (route.view === 'host' && route.host === host)) ? 'page' : undefined);
  return (
    <div className="topbar">
      <span className="brand">carp-console</span>
      <nav aria-label="Views">
        <ul className="tabs">
          <li>
            <a href={hrefOf({ view: 'fleet' })} aria-current={current('fleet')}>
              Fleet
            </a>
          </li>
          <li>
            <a href={hrefOf({ view: 'groups' })} aria-current={current('groups')}>
              Groups
            </a>
          </li>
          <li>
            <a href={hrefOf({ view: 'timeline' })} aria-current={current('timeline')}>
              Timeline
            </a>
          </li>
          {lastHost && (
            <li>
              <a href={hrefOf({ view: 'host', host: lastHost })} aria-current={current('host', lastHost)}>
                <span className="tab-kind">Host</span> {lastHost}
              </a>
            </li>
          )}
        </ul>
      </nav>
      <span className="topbar-right">
        <NotificationsButton />
        {info?.readOnly && (
          <span className="badge tone-warn readonly-badge">
            <span aria-hidden="true">⊘ </span>Read-only console
          </span>
        )}
        {info && <span className="muted small">console {info.version}</span>}
      </span>
    </div>
  );
}
