// The notification settings: a top-bar button opening a small panel that asks the browser's (or
// Electron's) permission on the click, mutes groups one by one, and lists the last notifications sent.
import { useState } from 'react';
import { createPortal } from 'react-dom';
import { useAppState } from '../hooks.js';
import { clockTime } from '../logic/age.js';
import { groupTitle, sortGroups } from '../logic/groups.js';
import { NOTIFY_WINDOW_MS } from '../logic/notify.js';
import { notificationPermission, setMuted, useMuted, useSentNotices, type Permission } from '../use-notifications.js';
import { Dialog } from './Dialog.js';
import './notifications.css';

const PERMISSION_TEXT: Record<Permission, string> = {
  granted: 'Desktop notifications are allowed.',
  denied: 'Desktop notifications are blocked for this page: allow them in the browser’s site settings.',
  default: 'Desktop notifications are not allowed yet.',
  unsupported: 'This browser has no desktop notifications.',
};

export function NotificationsButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="notify-button" onClick={() => setOpen(true)}>
        Notifications
      </button>
      {/* Outside the top bar's banner landmark, as the other dialogs are. */}
      {open && createPortal(<NotificationsPanel onClose={() => setOpen(false)} />, document.body)}
    </>
  );
}

function NotificationsPanel({ onClose }: { onClose: () => void }) {
  const groups = useAppState((s) => s.console.fleet?.groups ?? null);
  const muted = useMuted();
  const sent = useSentNotices();
  const [permission, setPermission] = useState<Permission>(notificationPermission);
  const ask = () => {
    // Asked only here, on the user's click (browsers ignore a request without a gesture).
    void Notification.requestPermission().then(setPermission, () => setPermission(notificationPermission()));
  };
  return (
    <Dialog title="Notifications" onClose={onClose}>
      <p>
        A desktop notification when a group changes master, loses its master or gets an error finding. Changes within {NOTIFY_WINDOW_MS / 1000} s come as one
        notification.
      </p>
      <p role="status">
        <span aria-hidden="true">{permission === 'granted' ? '✓ ' : '⊘ '}</span>
        {PERMISSION_TEXT[permission]}
      </p>
      {permission === 'default' && (
        <button type="button" className="primary" onClick={ask} data-autofocus>
          Allow desktop notifications
        </button>
      )}
      <fieldset className="notify-groups">
        <legend>Notify for these groups</legend>
        {!groups?.length && <p className="notify-note">No CARP groups yet.</p>}
        {groups &&
          sortGroups(groups).map((g) => (
            <label key={g.key} className="notify-group">
              <input type="checkbox" checked={!muted.has(g.key)} onChange={(e) => setMuted(g.key, !e.currentTarget.checked)} /> {groupTitle(g)}{' '}
              <span className="notify-note">({g.segment})</span>
              {muted.has(g.key) && <span className="notify-note"> · muted</span>}
            </label>
          ))}
      </fieldset>
      {sent.length > 0 && (
        <section aria-label="Last notifications">
          <h3>Last notifications</h3>
          <ul className="notify-sent">
            {sent.map((n) => (
              <li key={n.at}>
                {clockTime(n.at)} {n.title}: {n.body.split('\n').join('; ')}
                {!n.shown && <span className="notify-note"> (not shown: not allowed)</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </Dialog>
  );
}
