// The app shell: top bar with the views, the connection banner, and the screen of the current route.
import { useEffect, useState } from 'react';
import { ConnectionBanner } from './components/ConnectionBanner.js';
import { ErrorNote } from './components/ErrorNote.js';
import { TopBar } from './components/TopBar.js';
import { useAppState, useRoute } from './hooks.js';
import { FleetScreen } from './screens/FleetScreen.js';
import { GroupsScreen } from './screens/GroupsScreen.js';
import { TimelineScreen } from './screens/TimelineScreen.js';
import { HostScreen } from './screens/HostScreen.js';
import { WallScreen } from './screens/WallScreen.js';
import { useNotifications } from './use-notifications.js';
import { useWallMode } from './use-wall-mode.js';

export function App() {
  const route = useRoute();
  const infoError = useAppState((s) => s.infoError);
  // Without a connection the fleet on screen is the last one received: shown without colour, never as live.
  const cut = useAppState((s) => s.connection.status !== 'open' && s.console.fleet !== null);
  const [lastHost, setLastHost] = useState<string | null>(route.view === 'host' ? route.host : null);
  const openHost = route.view === 'host' ? route.host : null;
  // Remembered while rendering (React's way to derive state from a changed prop), not in an effect.
  if (openHost && openHost !== lastHost) setLastHost(openHost);

  const wall = useWallMode();
  // Desktop notifications on master changes and error findings (muted per group, coalesced): every view, the wall too.
  useNotifications();
  useEffect(() => {
    document.title = wall ? 'Wall · carp-console' : `${openHost ?? (route.view === 'groups' ? 'Groups' : route.view === 'timeline' ? 'Timeline' : 'Fleet')} · carp-console`;
  }, [openHost, route.view, wall]);

  useEffect(() => {
    // A new screen starts at its top with focus on its heading, as a page load would.
    const h = document.querySelector<HTMLElement>('main h1');
    if (h) {
      h.tabIndex = -1;
      h.focus({ preventScroll: false });
    }
    window.scrollTo(0, 0);
  }, [route.view, openHost, wall]);

  // Wall mode (?wall or #/wall): the full-screen read-only view alone, no top bar, no actions.
  if (wall) return <WallScreen />;

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
        {route.view === 'timeline' && <TimelineScreen />}
        {route.view === 'host' && <HostScreen key={route.host} host={route.host} />}
      </div>
    </>
  );
}
