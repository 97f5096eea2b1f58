// Wall mode (a read-only display across the room): one tile per group at a fixed grid position (board
// order: segment, vhid), quiet when redundant, loud when degraded, stale tiles marked with their age.
import type { Fleet, FleetGroup, GroupKey } from '../../../electron/core/fleet/types.js';
import { clockTime, formatAge } from './age.js';
import { groupHealth, groupLabel, groupTitle, memberStateDisplay, sortGroups, type GroupHealthKind } from './groups.js';
import type { Tone } from './host-status.js';

/** A fleet older than this (the console's stream stopped: connection lost, console frozen) makes every tile stale. */
export const WALL_FLEET_STALE_MS = 5000;
/** At most this many columns, whatever the number of groups (tiles stay readable from across the room). */
export const WALL_MAX_COLUMNS = 6;

export interface WallMember {
  host: string;
  /** "MASTER", "BACKUP", "INIT", "UNKNOWN". */
  label: string;
  symbol: string;
  tone: 'master' | 'backup' | 'init' | 'unknown';
}

export interface WallTile {
  key: GroupKey;
  /** "vhid 1 · lan-gateway". */
  title: string;
  /** The tile's accessible name, as the board's card: "Group vhid 1 (lan-gateway)". */
  name: string;
  segment: string;
  /** 1-based grid cell: never depends on state, only on the tile's rank by (segment, vhid). */
  row: number;
  col: number;
  /** Degraded: no master, split brain, misconfigured, not redundant. Healthy tiles are quiet and grey. */
  loud: boolean;
  kind: GroupHealthKind;
  /** The health in words ("no master", "redundant: fw1 MASTER, fw3 takes over"). */
  label: string;
  symbol: string;
  tone: Tone;
  /** The one MASTER in big type, or "—". */
  master: string;
  /** Members in name order (a fixed order: a state change never moves a line). */
  members: WallMember[];
  /** Some of this tile's data is old: a member's host is not live, or the console's stream stopped. */
  stale: boolean;
  /** "fw1 last heard 12 s ago" / "no update for 8 s". */
  staleText?: string;
}

export interface WallLayout {
  columns: number;
  rows: number;
  tiles: WallTile[];
  /** Counts for the header: "3 groups · 1 degraded · 1 stale". */
  summary: string;
  loud: number;
  /** "last updated 19:13:17 (just now)", or "no data yet". */
  updated: string;
  /** The whole wall is old (the console's fleet stopped arriving). */
  stale: boolean;
}

/** At least this many columns: one or two groups get tiles of the usual size, not a screen-wide band. */
export const WALL_MIN_COLUMNS = 3;

/** Columns for n tiles: a near-square grid within WALL_MIN/MAX_COLUMNS, decided by the number of groups alone. */
export function wallColumns(n: number): number {
  return Math.min(WALL_MAX_COLUMNS, Math.max(WALL_MIN_COLUMNS, Math.ceil(Math.sqrt(n))));
}

/** One tile (without its position) for a group at the console's time `now`, with the fleet's age. */
export function wallTile(g: FleetGroup, fleet: Pick<Fleet, 'findings' | 'at'>, now: number): Omit<WallTile, 'row' | 'col'> {
  const h = groupHealth(g, fleet.findings);
  const members = [...g.members]
    .sort((a, b) => a.host.localeCompare(b.host))
    .map((m): WallMember => {
      const d = memberStateDisplay(m, now);
      return { host: m.host, label: d.label, symbol: d.symbol, tone: d.tone };
    });
  const old = g.members.filter((m) => !m.live);
  const fleetAge = now - fleet.at;
  let staleText: string | undefined;
  if (fleetAge > WALL_FLEET_STALE_MS) staleText = `no update for ${formatAge(fleetAge).replace(/ ago$/, '')}`;
  else if (old.length) {
    // The oldest news first: the member heard from longest ago says how old this tile's data is.
    const oldest = [...old].sort((a, b) => (a.lastSeen ?? 0) - (b.lastSeen ?? 0))[0];
    const heard = oldest.lastSeen ? `last heard ${formatAge(now - oldest.lastSeen)}` : 'never heard from';
    staleText = `${oldest.host} ${heard}${old.length > 1 ? ` (+${old.length - 1} more)` : ''}`;
  }
  return {
    key: g.key,
    title: groupTitle(g),
    name: groupLabel(g),
    segment: g.segment,
    loud: h.kind !== 'redundant',
    kind: h.kind,
    label: h.label,
    symbol: h.symbol,
    tone: h.tone,
    master: g.master ?? (g.masters.length > 1 ? g.masters.join(' + ') : '—'),
    members,
    stale: staleText !== undefined,
    ...(staleText ? { staleText } : {}),
  };
}

const tileMemo = new WeakMap<FleetGroup, { row: number; col: number; health: ReturnType<typeof groupHealth>; tile: WallTile }>();

/** The whole wall: tiles in board order on a fixed grid, the summary and the "last updated" line. */
export function wallLayout(fleet: Fleet | null, now: number): WallLayout {
  if (!fleet) return { columns: WALL_MIN_COLUMNS, rows: 0, tiles: [], summary: 'Waiting for the console…', loud: 0, updated: 'no data yet', stale: true };
  const groups = sortGroups(fleet.groups);
  const columns = wallColumns(groups.length);
  const fleetStale = now - fleet.at > WALL_FLEET_STALE_MS;
  const tiles = groups.map((g, i): WallTile => {
    const row = Math.floor(i / columns) + 1;
    const col = (i % columns) + 1;
    // A tile whose members are all live does not age: it stays the same object (and is not redrawn)
    // until its group, its health or its place changes (1,000 tiles, one changed per fleet update).
    const timeless = !fleetStale && g.members.every((m) => m.live);
    const health = groupHealth(g, fleet.findings);
    const memo = tileMemo.get(g);
    if (timeless && memo && memo.row === row && memo.col === col && memo.health.label === health.label && memo.health.kind === health.kind) return memo.tile;
    const tile = { ...wallTile(g, fleet, now), row, col };
    if (timeless) tileMemo.set(g, { row, col, health, tile });
    return tile;
  });
  const loud = tiles.filter((t) => t.loud).length;
  const stale = tiles.filter((t) => t.stale).length;
  const parts = [`${groups.length} ${groups.length === 1 ? 'group' : 'groups'}`];
  parts.push(loud ? `${loud} degraded` : groups.length ? 'all redundant' : 'no CARP groups yet');
  if (stale) parts.push(`${stale} stale`);
  return {
    columns,
    rows: Math.ceil(groups.length / columns),
    tiles,
    summary: parts.join(' · '),
    loud,
    updated: `last updated ${clockTime(fleet.at)} (${formatAge(now - fleet.at)})`,
    stale: fleetStale,
  };
}

/** Wall mode is on for `#/wall`, or for `?wall` in the URL while no other route is chosen. */
export function isWallMode(search: string, hash: string): boolean {
  const h = hash.replace(/^#\/?/, '');
  if (h === 'wall') return true;
  if (h !== '') return false;
  return new URLSearchParams(search).has('wall');
}
