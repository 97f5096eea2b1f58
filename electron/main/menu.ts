// The application menu: File (Quit), Edit (clipboard keys), View (reload, wall mode, zoom; DevTools only in
// development), Window, Help (About). A plain template so it is built and tested without Electron.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuOptions {
  isPackaged: boolean;
  platform: NodeJS.Platform;
  about(): void;
  /** Shows wall mode (the renderer's #/wall route): View → Wall mode. */
  wall(): void;
}

export function menuTemplate(o: MenuOptions): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = [{ role: 'reload' }, { role: 'forceReload' }];
  if (!o.isPackaged) view.push({ role: 'toggleDevTools' });
  view.push({ type: 'separator' }, { label: 'Wall mode', click: () => o.wall() });
  view.push({ type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' });
  return [
    // On macOS the first menu is the application's own, whatever its label.
    ...(o.platform === 'darwin' ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    { label: 'File', submenu: [{ role: 'quit' }] },
    // Without an Edit menu, copy and paste keys do nothing on macOS.
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'About carp-console', click: () => o.about() }] },
  ];
}
