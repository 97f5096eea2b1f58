// net.inet.carp.allow on a host: a badge when CARP is off there (or turning off), with what it means;
// nothing while CARP runs.
import type { HostView } from '../../../electron/core/fleet/types.js';
import { allowText } from '../../../electron/core/fleet/allow-text.js';
import { Badge } from './Badge.js';

export function AllowBadge({ h }: { h: Pick<HostView, 'host' | 'allow'> }) {
  const a = allowText(h);
  if (!a) return null;
  return (
    <div className="allow-badge" title={a.detail}>
      <Badge symbol="⊘" tone="warn">
        {a.label}
      </Badge>
      <div className="small detail tone-text-warn">{a.detail}</div>
    </div>
  );
}
