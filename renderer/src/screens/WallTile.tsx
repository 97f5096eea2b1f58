// One wall tile: a group's health in word + shape + colour, its MASTER in big type, its members in
// name order, and a staleness mark with the age when its data is old. Fixed size: content never sizes it.
import { memo } from 'react';
import type { WallTile } from '../logic/wall.js';

/** Memoised: wallLayout keeps an unchanged tile as the same object. */
export const WallTileView = memo(function WallTileView({ tile: t }: { tile: WallTile }) {
  const cls = ['wall-tile', t.loud ? `wall-loud wall-tone-${t.tone}` : 'wall-quiet', t.stale ? 'wall-stale' : ''].filter(Boolean).join(' ');
  return (
    <article className={cls} aria-label={t.name} style={{ gridRow: t.row, gridColumn: t.col }} data-kind={t.kind}>
      <div className="wall-tile-head">
        <h2 className="wall-title">{t.title}</h2>
        <span className="wall-segment">{t.segment}</span>
      </div>
      <p className="wall-health">
        <span className="wall-symbol" aria-hidden="true">
          {t.symbol}
        </span>{' '}
        {t.loud ? t.label : 'redundant'}
      </p>
      <p className="wall-master">
        <span className="wall-master-label">MASTER</span> {t.master}
      </p>
      <ul className="wall-members" aria-label="Members">
        {t.members.map((m) => (
          <li key={m.host} className={`wall-member wall-member-${m.tone}`}>
            <span aria-hidden="true">{m.symbol}</span> {m.host} {m.label}
          </li>
        ))}
      </ul>
      {t.stale && (
        <p className="wall-stale-note">
          <span aria-hidden="true">◷</span> stale: {t.staleText}
        </p>
      )}
    </article>
  );
});
