// Which page is the console's own: its file:// URL, and the one check that an IPC sender is the
// main frame of our window showing that page (used by ipc.ts's binding and navigation.ts).
import type { WebContents, WebFrameMain } from 'electron';

/** The URL without query and fragment (the renderer may route with #…), normalised; null if it does not parse. */
export function pageOf(url: string): string | null {
  try {
    const u = new URL(url);
    u.hash = '';
    u.search = '';
    return u.href;
  } catch {
    return null;
  }
}

/** The app page itself (any #route of it), and only as a file:// URL. */
export function isAppUrl(url: string, appUrl: string): boolean {
  const page = pageOf(url);
  return page !== null && page.startsWith('file:') && page === pageOf(appUrl);
}

/**
 * The sender check for bindIpc: the message comes from `window()`'s web contents, from its main
 * frame (not an iframe), and that frame shows the app page.
 */
export function appSenderCheck(window: () => WebContents | null | undefined, appUrl: string) {
  return (frame: WebFrameMain | null | undefined, sender: WebContents): boolean => {
    const wc = window();
    if (!frame || !wc || wc.isDestroyed() || sender !== wc) return false;
    if (frame.parent !== null || frame.frameTreeNodeId !== wc.mainFrame.frameTreeNodeId) return false;
    return isAppUrl(frame.url, appUrl);
  };
}
