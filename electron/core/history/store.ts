// The history on disk: append-only JSON lines in segment files under $XDG_DATA_HOME/carp-console/history
// (default ~/.local/share/carp-console/history), bounded by total size and age; old segments are deleted whole.
// Memory holds an index per segment and the newest records only: a query reads its range's segments back.
import { appendFileSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { lockDir } from './lock.js';
import { HISTORY_REPLY_MAX, parseRecordLine, recordMatches, type HistoryPage, type HistoryQuery, type HistoryRecord } from './records.js';

/** The console's data folder: $XDG_DATA_HOME/carp-console, default ~/.local/share/carp-console. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(env.HOME && env.HOME.startsWith('/') ? env.HOME : homedir(), '.local', 'share');
  return join(base, 'carp-console');
}

export function defaultHistoryDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'history');
}

export interface HistoryBounds {
  /** All segments together stay under this (default 64 MiB): the oldest segments are deleted whole. */
  maxBytes: number;
  /** A segment whose newest record is older than this is deleted whole (default 90 days). */
  maxAgeMs: number;
  /** A new segment is started when the current one reaches this size (default maxBytes / 8). */
  segmentBytes: number;
}

export const DEFAULT_BOUNDS: Omit<HistoryBounds, 'segmentBytes'> = { maxBytes: 64 << 20, maxAgeMs: 90 * 24 * 3600_000 };

/** What memory keeps of one segment file: its index, never its records (they are read back for a query's range). */
interface Segment {
  file: string;
  bytes: number;
  /** Oldest and newest record time in it (Infinity / -Infinity: none yet). */
  first: number;
  last: number;
  count: number;
  /** Each lane's and group's last state / master record in this segment: the state at `from` without reading it. Bounded by lanes, not records. */
  lastOf: Map<string, HistoryRecord>;
}

const NAME = /^history-(\d{13,})-(\d+)\.jsonl$/;

/** The newest records kept in memory (recent ranges, the timeline's live pages, are answered from there). */
export const TAIL_RECORDS = 10_000;
/** Segments kept parsed after a read, and for how long (the next page of a range reads them again). */
const RECENT_SEGMENTS = 2;
const RECENT_MS = 5000;

export interface HistoryStore {
  readonly dir: string;
  append(records: HistoryRecord[]): void;
  query(q: HistoryQuery): HistoryPage;
  /** Lines skipped on reading back (torn by a crash, or not a record). */
  readonly skipped: number;
  /** How many records memory holds now (the tail): bounded by TAIL_RECORDS, whatever the size on disk. */
  readonly inMemory: number;
  /** Releases the folder's lock (lock.ts); appends after it are refused. */
  close(): void;
}

/** The lane or group a state / master record is about (the key of the state at `from`), else null. */
function laneId(r: HistoryRecord): string | null {
  return r.kind === 'state' ? `s|${r.host}|${r.group}` : r.kind === 'master' ? `m|${r.group}` : null;
}

function keepLatest(map: Map<string, HistoryRecord>, r: HistoryRecord): void {
  const id = laneId(r);
  if (id === null) return;
  const prev = map.get(id);
  if (!prev || prev.t <= r.t) map.set(id, r);
}

/** The records of one segment file, in the order written; `bad` counts lines that are not records (a torn last line). */
function readSegment(file: string): { records: HistoryRecord[]; bad: number; bytes: number } {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    /* unreadable: treated as empty, deleted by the bounds in time */
  }
  const records: HistoryRecord[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    const r = parseRecordLine(line);
    if (r) records.push(r);
    else bad++;
  }
  return { records, bad, bytes: Buffer.byteLength(text) };
}

/**
 * Opens (creating) the history in `dir` and takes its lock (lock.ts: throws HistoryLockedError while another
 * console holds it). Reads every segment once to index it (first/last time, size, each lane's last state),
 * skipping lines that do not parse (a torn last line after a crash), keeps only that index and the newest
 * `tailRecords` records in memory, and starts a new segment for this run. `now` is the clock for the age bound.
 */
export function openHistoryStore(dir: string, bounds: Partial<HistoryBounds> & { tailRecords?: number } = {}, now: () => number = Date.now): HistoryStore {
  const maxBytes = bounds.maxBytes ?? DEFAULT_BOUNDS.maxBytes;
  const maxAgeMs = bounds.maxAgeMs ?? DEFAULT_BOUNDS.maxAgeMs;
  const segmentBytes = bounds.segmentBytes ?? Math.max(4096, Math.floor(maxBytes / 8));
  const tailMax = Math.max(1, bounds.tailRecords ?? TAIL_RECORDS);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock = lockDir(dir);
  let skipped = 0;
  /** Each lane's state before the tail's first record: the tail path's state at `from`. */
  const beforeTail = new Map<string, HistoryRecord>();
  let newestOnDisk = -Infinity;
  let segments: Segment[];
  try {
    segments = readdirSync(dir)
      .map((f) => ({ f, m: NAME.exec(f) }))
      .filter((x) => x.m)
      .sort((a, b) => Number(a.m![1]) - Number(b.m![1]) || Number(a.m![2]) - Number(b.m![2]))
      .map(({ f }) => {
        const file = join(dir, f);
        const { records, bad, bytes } = readSegment(file);
        skipped += bad;
        const seg: Segment = { file, bytes, first: Infinity, last: -Infinity, count: records.length, lastOf: new Map() };
        for (const r of records) {
          seg.first = Math.min(seg.first, r.t);
          seg.last = Math.max(seg.last, r.t);
          keepLatest(seg.lastOf, r);
          keepLatest(beforeTail, r);
        }
        newestOnDisk = Math.max(newestOnDisk, seg.last);
        return seg;
      });
  } catch (e) {
    lock.release();
    throw e;
  }
  /** The newest records, in the order appended; every record with t >= tailFrom is in it. */
  let tail: HistoryRecord[] = [];
  let tailFrom = segments.some((s) => s.count) ? newestOnDisk + 1 : -Infinity;
  let seq = 0;
  const startSegment = (): Segment => {
    const file = join(dir, `history-${String(now()).padStart(13, '0')}-${seq++}.jsonl`);
    closeSync(openSync(file, 'a', 0o600));
    const s: Segment = { file, bytes: 0, first: Infinity, last: -Infinity, count: 0, lastOf: new Map() };
    segments.push(s);
    return s;
  };
  const oldest = () => segments.reduce((m, s) => (s.count ? Math.min(m, s.first) : m), Infinity);
  const prune = () => {
    const cutoff = now() - maxAgeMs;
    let total = segments.reduce((n, s) => n + s.bytes, 0);
    let dropped = false;
    // the segment being written is never deleted
    while (segments.length > 1 && (total > maxBytes || (segments[0].count > 0 && segments[0].last < cutoff) || segments[0].count === 0)) {
      const s = segments.shift()!;
      total -= s.bytes;
      dropped = true;
      try {
        unlinkSync(s.file);
      } catch {
        /* already gone */
      }
    }
    if (!dropped) return;
    // what was dropped is gone: no state at `from` from it either
    const o = oldest();
    for (const [id, r] of beforeTail) if (r.t < o) beforeTail.delete(id);
    tail = tail.filter((r) => r.t >= o);
  };
  let current = startSegment();
  prune();
  let closed = false;

  // A range read page by page (the timeline) reads the same segments again at once: the last two read are
  // kept parsed for a few seconds (by file and size: a segment still written to is read again when it grew).
  const recent = new Map<string, { bytes: number; records: HistoryRecord[] }>();
  let forget: ReturnType<typeof setTimeout> | null = null;
  const recordsOf = (s: Segment): HistoryRecord[] => {
    const hit = recent.get(s.file);
    if (hit && hit.bytes === s.bytes) return hit.records;
    const { records } = readSegment(s.file);
    recent.delete(s.file);
    recent.set(s.file, { bytes: s.bytes, records });
    while (recent.size > RECENT_SEGMENTS) recent.delete(recent.keys().next().value!);
    if (forget) clearTimeout(forget);
    forget = setTimeout(() => recent.clear(), RECENT_MS);
    forget.unref?.();
    return records;
  };

  /** Every record of the range read back from disk, and the state at `from` from the index and what was read. */
  const fromDisk = (from: number, to: number, keep: (r: HistoryRecord) => void, before: Map<string, HistoryRecord>) => {
    for (const s of segments) {
      if (!s.count) continue;
      if (s.last < from) {
        for (const r of s.lastOf.values()) keepLatest(before, r);
        continue;
      }
      if (s.first > to) continue;
      for (const r of recordsOf(s)) {
        if (r.t < from) keepLatest(before, r);
        else if (r.t <= to) keep(r);
      }
    }
  };

  return {
    dir,
    get skipped() {
      return skipped;
    },
    get inMemory() {
      return tail.length;
    },
    append(records) {
      if (!records.length) return;
      if (closed) throw new Error(`the history in ${dir} is closed`);
      if (current.bytes >= segmentBytes) {
        current = startSegment();
        prune();
      }
      const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
      appendFileSync(current.file, text);
      current.bytes += Buffer.byteLength(text);
      for (const r of records) {
        current.count++;
        current.first = Math.min(current.first, r.t);
        current.last = Math.max(current.last, r.t);
        keepLatest(current.lastOf, r);
        tail.push(r);
      }
      if (tail.length > tailMax) {
        // evict the oldest (a tenth at a time, not one by one): their lanes' states move to beforeTail
        const out = tail.splice(0, tail.length - tailMax + Math.floor(tailMax / 10));
        for (const r of out) {
          keepLatest(beforeTail, r);
          tailFrom = Math.max(tailFrom, r.t + 1);
        }
      }
      if (current.bytes >= segmentBytes) prune();
    },
    query(q) {
      const to = q.to ?? Infinity;
      const hosts = q.hosts?.length ? new Set(q.hosts) : undefined;
      const groups = q.groups?.length ? new Set(q.groups) : undefined;
      const out: HistoryRecord[] = [];
      // what each lane and group was when the range starts: its last record before `from`
      const before = new Map<string, HistoryRecord>();
      const keep = (r: HistoryRecord) => {
        if (recordMatches(r, hosts, groups)) out.push(r);
      };
      if (q.from >= tailFrom) {
        // the whole range is in memory
        for (const r of beforeTail.values()) keepLatest(before, r);
        for (const r of tail) {
          if (r.t < q.from) keepLatest(before, r);
          else if (r.t <= to) keep(r);
        }
      } else fromDisk(q.from, to, keep, before);
      out.sort((a, b) => a.t - b.t);
      const limit = q.limit;
      const truncated = out.length > (limit ?? HISTORY_REPLY_MAX);
      const records = limit !== undefined ? out.slice(0, limit) : truncated ? out.slice(-HISTORY_REPLY_MAX) : out;
      if (q.prelude !== false) {
        const start = [...before.values()].filter((r) => recordMatches(r, hosts, groups)).sort((a, b) => a.t - b.t);
        records.unshift(...start);
      }
      const o = oldest();
      return { records, truncated, oldest: Number.isFinite(o) ? o : null };
    },
    close() {
      if (closed) return;
      closed = true;
      if (forget) clearTimeout(forget);
      recent.clear();
      lock.release();
    },
  };
}

/** The sizes of the segment files in `dir` (for tests and diagnostics). */
export function segmentFiles(dir: string): { file: string; bytes: number }[] {
  return readdirSync(dir)
    .filter((f) => NAME.test(f))
    .sort()
    .map((f) => ({ file: f, bytes: statSync(join(dir, f)).size }));
}
