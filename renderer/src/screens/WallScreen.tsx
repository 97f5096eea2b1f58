// Wall mode: a full-screen, read-only view for a display across the room (?wall or #/wall). Dark, large
// type, one tile per group at a fixed grid cell (logic/wall.ts); it never offers an action.
import { useAppState, useConsoleNow } from '../hooks.js';
import { wallLayout } from '../logic/wall.js';
import { WallTileView } from './WallTile.js';
import './wall.css';

export function WallScreen() {
  const fleet = useAppState((s) => s.console.fleet);
  const status = useAppState((s) => s.connection.status);
  const now = useConsoleNow(1000);
  const w = wallLayout(fleet, now);
  const cut = status !== 'open';
  return (
    <div className="wall">
      <header className="wall-head">
        <h1 className="wall-brand">carp-console</h1>
        <p className={`wall-summary${w.loud ? ' wall-summary-loud' : ''}`} aria-live="polite">
          <span aria-hidden="true">{w.loud ? '✕ ' : '✓ '}</span>
          {w.summary}
        </p>
        <p className={`wall-updated${w.stale || cut ? ' wall-updated-stale' : ''}`} aria-label="Last updated">
          {(w.stale || cut) && <span aria-hidden="true">◷ </span>}
          {cut ? `connection lost · ${w.updated}` : w.updated}
        </p>
        <a className="wall-exit" href="#/groups">
          Leave wall mode
        </a>
      </header>
      <main className="wall-grid" aria-label="Groups" style={{ gridTemplateColumns: `repeat(${w.columns}, minmax(0, 1fr))`, gridTemplateRows: `repeat(${Math.max(1, w.rows)}, minmax(11rem, 18rem))` }}>
        {!w.tiles.length && <p className="wall-empty">{fleet ? 'No CARP groups yet' : 'Waiting for the console…'}</p>}
        {w.tiles.map((t) => (
          <WallTileView key={t.key} tile={t} />
        ))}
      </main>
    </div>
  );
}
