// Where the window may go: nowhere but the app page. https links open in the browser; new windows,
// webviews and permission requests are refused (Electron security checklist items 11-14, 5).
import type { Session, WebContents } from 'electron';
import { isAppUrl } from './app-page.js';

export type OpenExternal = (url: string) => Promise<void> | void;

/** Only https leaves the app, and only to the system browser. */
export function isExternalLink(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

type Contents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export function lockWebContents(contents: Contents, appUrl: string, openExternal: OpenExternal): void {
  const openOutside = (url: string) => {
    if (isExternalLink(url)) Promise.resolve(openExternal(url)).catch(() => {});
  };
  contents.on('will-navigate', (details) => {
    if (isAppUrl(details.url, appUrl)) return;
    details.preventDefault();
    openOutside(details.url);
  });
  contents.on('will-redirect', (details) => {
    if (!isAppUrl(details.url, appUrl)) details.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    openOutside(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * No camera, geolocation, clipboard, … : every permission is refused, asked or checked, except
 * desktop notifications for the app page itself (the console's notifications on failovers use the web
 * Notification API, which Electron shows as native notifications).
 */
export function lockSession(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>, appUrl: string): void {
  const allowed = (permission: string, url: string | undefined) => permission === 'notifications' && url !== undefined && isAppUrl(url, appUrl);
  session.setPermissionRequestHandler((_wc, permission, callback, details) => callback(allowed(permission, details.requestingUrl)));
  session.setPermissionCheckHandler((_wc, permission, _origin, details) => allowed(permission, details.requestingUrl));
}
