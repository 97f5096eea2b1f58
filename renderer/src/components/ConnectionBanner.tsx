// Says loudly when the console cannot be reached: "Connection to the console lost, reconnecting…".
// What is on screen is then the last fleet received, and the banner says so.
import { useEffect, useState } from 'react';
import { useAppState } from '../hooks.js';

export function ConnectionBanner() {
  const c = useAppState((s) => s.connection);
  const hasFleet = useAppState((s) => s.console.fleet !== null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (c.status !== 'reconnecting') return;
    const t = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(t);
  }, [c.status]);
  if (c.status === 'open') return null;
  if (c.status === 'connecting') {
    return (
      <div className="banner banner-info" role="status">
        Connecting to the console…
      </div>
    );
  }
  const secs = c.nextTryAt ? Math.max(0, Math.ceil((c.nextTryAt - now) / 1000)) : 0;
  return (
    <div className="banner banner-bad">
      <strong role="alert">
        <span aria-hidden="true">⚠ </span>
        {c.everOpen === false ? 'Cannot reach the console, retrying…' : 'Connection to the console lost, reconnecting…'}
      </strong>{' '}
      <span>
        (attempt {c.attempt}
        {secs > 0 ? `, next try in ${secs} s` : ''}){hasFleet ? '. What you see is the last state received; it is not live.' : ''}
      </span>
    </div>
  );
}
