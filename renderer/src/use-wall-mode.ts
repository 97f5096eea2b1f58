// Whether the window shows wall mode: `?wall` in the URL (the web shell) or the `#/wall` route (the
// Electron menu's View → Wall mode); follows hash changes (the wall's own "Leave wall mode" link).
import { useEffect, useState } from 'react';
import { isWallMode } from './logic/wall.js';

export function useWallMode(): boolean {
  const [on, setOn] = useState(() => isWallMode(window.location.search, window.location.hash));
  useEffect(() => {
    const check = () => setOn(isWallMode(window.location.search, window.location.hash));
    window.addEventListener('hashchange', check);
    return () => window.removeEventListener('hashchange', check);
  }, []);
  return on;
}
