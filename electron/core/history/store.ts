// The history on disk: append-only JSON lines in segment files under $XDG_DATA_HOME/carp-console/history
// (default ~/.local/share/carp-console/history), bounded by total size and age; old segments are deleted whole.
import { appendFileSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
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

interface Segment {
  file: string;
  bytes: number;
  /** Newest record time in it (0: none yet). */
  newest: number;
  records: HistoryRecord[];
}

const NAME = /^history-(\d{13,})-(\d+)\.jsonl$/;

export interface HistoryStore {
  readonly dir: string;
  append(records: HistoryRecord[]): void;
  query(q: HistoryQuery): HistoryPage;
  /** Lines skipped on reading back (torn by a crash, or not a record). */
  readonly skipped: number;
}

/**
 * Opens (creating) the history in `dir`: reads every segment back, skipping lines that do not parse (a
 * torn last line after a crash), and starts a new segment for this run. `now` is the clock for the age bound.
 */
export function openHistoryStore(dir: string, bounds: Partial<HistoryBounds> = {}, now: () => number = Date.now): HistoryStore {
  const maxBytes = bounds.maxBytes ?? DEFAULT_BOUNDS.maxBytes;
  const maxAgeMs = bounds.maxAgeMs ?? DEFAULT_BOUNDS.maxAgeMs;
  const segmentBytes = bounds.segmentBytes ?? Math.max(4096, Math.floor(maxBytes / 8));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let skipped = 0;
  const segments: Segment[] = readdirSync(dir)
    .map((f) => ({ f, m: NAME.exec(f) }))
    .filter((x) => x.m)
    .sort((a, b) => Number(a.m![1]) - Number(b.m![1]) || Number(a.m![2]) - Number(b.m![2]))
    .map(({ f }) => {
      const file = join(dir, f);
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        /* unreadable: treated as empty, deleted by the bounds in time */
      }
      const records: HistoryRecord[] = [];
      for (const line of text.split('\n')) {
        if (!line) continue;
        const r = parseRecordLine(line);
        if (r) records.push(r);
        else skipped++;
      }
      return { file, bytes: Buffer.byteLength(text), newest: records.reduce((m, r) => Math.max(m, r.t), 0), records };
    });
  let seq = 0;
  const startSegment = (): Segment => {
    const file = join(dir, `history-${String(now()).padStart(13, '0')}-${seq++}.jsonl`);
    closeSync(openSync(file, 'a', 0o600));
    const s = { file, bytes: 0, newest: 0, records: [] };
    segments.push(s);
    return s;
  };
  const prune = () => {
    const cutoff = now() - maxAgeMs;
    let total = segments.reduce((n, s) => n + s.bytes, 0);
    // the segment being written is never deleted
    while (segments.length > 1 && (total > maxBytes || segments[0].newest < cutoff)) {
      const s = segments.shift()!;
      total -= s.bytes;
      try {
        unlinkSync(s.file);
      } catch {
        /* already gone */
      }
    }
  };
  let current = startSegment();
  prune();

  return {
    dir,
    get skipped() {
      return skipped;
    },
    append(records) {
      if (!records.length) return;
      if (current.bytes >= segmentBytes) {
        current = startSegment();
        prune();
      }
      const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
      appendFileSync(current.file, text);
      current.bytes += Buffer.byteLength(text);
      for (const r of records) {
        current.records.push(r);
        current.newest = Math.max(current.newest, r.t);
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
      for (const s of segments) {
        for (const r of s.records) {
          if (r.t < q.from) {
            if ((r.kind === 'state' || r.kind === 'master') && recordMatches(r, hosts, groups)) {
              const id = r.kind === 'state' ? `s|${r.host}|${r.group}` : `m|${r.group}`;
              const prev = before.get(id);
              if (!prev || prev.t <= r.t) before.set(id, r);
            }
          } else if (r.t <= to && recordMatches(r, hosts, groups)) out.push(r);
        }
      }
      out.sort((a, b) => a.t - b.t);
      out.unshift(...[...before.values()].sort((a, b) => a.t - b.t));
      const truncated = out.length > HISTORY_REPLY_MAX;
      const first = segments.find((s) => s.records.length);
      return { records: truncated ? out.slice(-HISTORY_REPLY_MAX) : out, truncated, oldest: first ? first.records.reduce((m, r) => Math.min(m, r.t), Infinity) : null };
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
