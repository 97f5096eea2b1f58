// Renders the first items of a long list and more as the user scrolls near its end (an
// IntersectionObserver on the last row); a "Show more" button does the same from the keyboard. In a table
// (`colSpan` given) the items are rows and the "Show more" line is a row spanning `colSpan` columns.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { WINDOW_STEP, grownCount, windowCount } from '../logic/windowing.js';

export function WindowedList<T>({ items, render, noun, colSpan }: { items: T[]; render: (item: T) => ReactNode; noun: string; colSpan?: number }) {
  const [shown, setShown] = useState(0);
  const count = windowCount(shown, items.length);
  const more = count < items.length;
  const end = useRef<HTMLDivElement>(null);
  const endRow = useRef<HTMLTableRowElement>(null);
  const total = items.length;
  useEffect(() => {
    const el = end.current ?? endRow.current;
    if (!el || !more || typeof IntersectionObserver === 'undefined') return;
    // re-created after each growth: its first callback says whether the end is still near the viewport
    const io = new IntersectionObserver((es) => es.some((e) => e.isIntersecting) && setShown(grownCount(count, total)), { rootMargin: '800px' });
    io.observe(el);
    return () => io.disconnect();
  }, [more, count, total]);
  const moreLine = (
    <>
      <button type="button" onClick={() => setShown(grownCount(count, total))}>
        Show {Math.min(WINDOW_STEP, total - count)} more {noun}
      </button>{' '}
      <span className="muted">
        {count} of {total} shown
      </span>
    </>
  );
  return (
    <>
      {items.slice(0, count).map(render)}
      {more &&
        (colSpan ? (
          <tr ref={endRow} className="window-more">
            <td colSpan={colSpan}>{moreLine}</td>
          </tr>
        ) : (
          <div ref={end} className="window-more">
            {moreLine}
          </div>
        ))}
    </>
  );
}
