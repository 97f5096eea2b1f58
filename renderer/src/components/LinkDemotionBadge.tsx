// OpenBSD's link demotion on a host: a badge while an interface carrying a group has lost its link
// (its groups then advertise as less preferred, so that its peer takes them all); nothing otherwise.
import type { HostView } from '../../../electron/core/fleet/types.js';
import { linkDemotionText } from '../../../electron/core/fleet/link-demotion-text.js';
import { Badge } from './Badge.js';

export function LinkDemotionBadge({ h }: { h: Pick<HostView, 'linkDemotion'> }) {
  const text = linkDemotionText(h.linkDemotion);
  if (!text) return null;
  return (
    <span title="An interface that carries CARP groups has no link: every group of this host advertises this much more demotion, so that its peer takes them all (OpenBSD's link demotion).">
      <Badge symbol="⚠" tone="warn">
        {text}
      </Badge>
    </span>
  );
}
