// The app shell: top bar with the views, the connection banner, and the screen of the current route.
import { useEffect, useState } from 'react';
import { ConnectionBanner } from './components/ConnectionBanner.js';
import { ErrorNote } from './components/ErrorNote.js';
import { TopBar } from './components/TopBar.js';
import { useAppState, useRoute } from './hooks.js';
import { FleetScreen } from './screens/FleetScreen.js';
import { GroupsScreen } from './screens/GroupsScreen.js';
import { HostScreen } from './screens/HostScreen.js';

export function App() {
  const route = useRoute();
  const infoError = useAppState((s) => s.infoError);
  // Without a connection the fleet on screen is the last one received: shown without colour, never as live.
  const cut = useAppState((s) => s.connection.status !== 'open' && s.console.fleet !== null);
  const [lastHost, setLastHost] = useState<string | null>(route.view === 'host' ? route.host : null);
  const openHost = route.view === 'host' ? route.host : null;
  // Remembered while rendering (React's way to derive state from a changed prop), not in an effect.
  if (openHost && openHost !== lastHost) setLastHost(openHost);

  useEffect(() => {
    document.title = `${openHost ?? (route.view === 'groups' ? 'Groups' : 'Fleet')} · carp-console`;
  }, [openHost, route.view]);

  useEffect(() => {
    // A new screen starts at its top with focus on its heading, as a page load would.
    const h = document.querySelector<HTMLElement>('main h1');
    if (h) {
      h.tabIndex = -1;
      h.focus({ preventScroll: false });
    }
    window.scrollTo(0, 0);
  }, [route.view, openHost]);

  return (
    <>
      <header>
        <TopBar route={route} lastHost={lastHost} />
        <ConnectionBanner />
        {infoError && (
          <div className="banner banner-warn">
            <ErrorNote error={infoError} what="Could not read the console's info" />
          </div>
        )}
      </header>
      <div className={cut ? 'view-cut' : undefined}>
        {route.view === 'fleet' && <FleetScreen />}
        {route.view === 'groups' && <GroupsScreen />}
        {route.view === 'host' && <HostScreen key={route.host} host={route.host} />}
      </div>
    </>
  );
}
