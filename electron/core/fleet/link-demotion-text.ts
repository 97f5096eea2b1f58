// OpenBSD's link demotion in words, one wording for carpctl and the console: "link demotion 1 (down: eth1)".
import type { LinkDemotion } from '../../../agent/control/messages.js';

/** null when no interface carrying a group has lost its link. */
export function linkDemotionText(ld: LinkDemotion | undefined): string | null {
  if (!ld || ld.demote <= 0) return null;
  return `link demotion ${ld.demote} (down: ${ld.down.join(', ')})`;
}
