// Ages and times against the console's clock: "just now", "12 s ago", "3 min ago", "2 h ago".
// The offset is taken when a 'fleet' event arrives (Date.now() - fleet.at), so a skewed browser clock never lies.

/** Milliseconds to add to the console's timestamps to compare them with this machine's Date.now(). */
export function clockOffset(fleetAt: number, receivedAt: number): number {
  return receivedAt - fleetAt;
}

/** The console's "now", given this machine's Date.now() and the offset. */
export function consoleNow(localNow: number, offset: number): number {
  return localNow - offset;
}

/** How long ago, in words; lastSeen 0 (or absent) means the console never heard from it. */
export function formatAge(ageMs: number): string {
  if (!Number.isFinite(ageMs)) return 'never';
  const s = Math.max(0, Math.floor(ageMs / 1000));
  if (s < 3) return 'just now';
  if (s < 60) return `${s} s ago`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** "last heard 12 s ago" / "never heard from" for a lastSeen stamped by the console (0: never). */
export function lastHeard(lastSeen: number, now: number): string {
  if (!lastSeen) return 'never heard from';
  return `last heard ${formatAge(now - lastSeen)}`;
}

/** The age column's text alone: "12 s ago", or "never". */
export function ageOf(lastSeen: number, now: number): string {
  return lastSeen ? formatAge(now - lastSeen) : 'never';
}

/** A timestamp as "19:13:17" when it is within the last 20 h of `now`, else "2026-11-28 19:13". */
export function stampOf(at: number, now: number): string {
  if (Math.abs(now - at) < 20 * 3_600_000) return clockTime(at);
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A console timestamp as the local wall-clock time, HH:MM:SS (24 h). */
export function clockTime(at: number): string {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
