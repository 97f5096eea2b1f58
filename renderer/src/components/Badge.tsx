// A status shown three ways: a shape, a word, a colour (class tone-*). The shape is decorative for
// screen readers; the word carries the meaning.
import type { ReactNode } from 'react';

interface Props {
  symbol: string;
  tone: string;
  children: ReactNode;
  className?: string;
}

export function Badge({ symbol, tone, children, className }: Props) {
  return (
    <span className={`badge tone-${tone}${className ? ` ${className}` : ''}`}>
      <span className="badge-symbol" aria-hidden="true">
        {symbol}
      </span>
      <span className="badge-text">{children}</span>
    </span>
  );
}
