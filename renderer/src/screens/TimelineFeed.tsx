// The timeline's data: the history of the range read page by page (logic/timeline-pages.ts) and added to one
// TimelineBuilder in time slices (no long main-thread task); while it follows now, newer records are read
// every 2 s and appended to the lanes already built (never a rebuild), until the builder holds too many.
import { useEffect, useState } from 'react';
import type { ConsoleClient } from '../../../electron/core/contract.js';
import { toCallError } from '../logic/errors.js';
import { TimelineBuilder, addInSlices } from '../logic/timeline.js';
import { PAGE_RECORDS, takePage, type Cursor } from '../logic/timeline-pages.js';
import type { CallError } from '../logic/wizard.js';
import { consoleNow } from '../logic/age.js';
import type { Store } from '../store.js';

/** New records are asked for this often while the timeline follows now. */
const LIVE_MS = 2000;
/** The most records one timeline holds: past this a range stops loading (say so), a live one starts over. */
export const TIMELINE_MAX_RECORDS = 200_000;
/** The time budget of one slice of building, in ms (a frame is 16). */
const SLICE_MS = 8;

export interface TimelineFeed {
  builder: TimelineBuilder;
  /** Changes whenever the builder has more: redraw. */
  version: number;
  /** The range is still being read (the first pages). */
  loading: boolean;
  /** The oldest record the console still holds (null: none, or not known yet). */
  oldest: number | null;
  /** More happened in the range than TIMELINE_MAX_RECORDS: shown up to this time. */
  cappedAt: number | null;
  error: CallError | null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The history from `span` (+1 min) before `end` (null: now, and then follows now) into a builder. */
export function useTimelineFeed(client: ConsoleClient, span: number, end: number | null): TimelineFeed {
  const [generation, setGeneration] = useState(0);
  const [feed, setFeed] = useState<TimelineFeed>(() => ({ builder: new TimelineBuilder(), version: 0, loading: true, oldest: null, cappedAt: null, error: null }));
  useEffect(() => {
    let alive = true;
    const builder = new TimelineBuilder();
    const right = end ?? Date.now() + 60_000;
    let cursor: Cursor = { t: right - span - 60_000, seen: 0 };
    let first = true;
    let oldest: number | null = null;
    let cappedAt: number | null = null;
    const publish = (loading: boolean, error: CallError | null = null) => {
      if (alive) setFeed({ builder, version: builder.version, loading, oldest, cappedAt, error });
    };
    /** Reads pages from the cursor until none follow (or the builder is full); false when stopped. */
    const pull = async (to?: number): Promise<boolean> => {
      for (;;) {
        const page = await client.history({ from: cursor.t, ...(to !== undefined ? { to } : {}), limit: PAGE_RECORDS, ...(first ? {} : { prelude: false }) });
        if (!alive) return false;
        if (first) oldest = page.oldest;
        first = false;
        const { records, next } = takePage(cursor, page);
        cursor = next;
        if (!(await addInSlices(builder, records, { budgetMs: SLICE_MS, stop: () => !alive }))) return false;
        if (builder.records.length >= TIMELINE_MAX_RECORDS && page.truncated) {
          cappedAt = builder.newest;
          return true;
        }
        if (!page.truncated) return true;
        publish(true);
      }
    };
    const run = async () => {
      publish(true);
      try {
        if (!(await pull(end ?? undefined))) return;
      } catch (e) {
        if (alive) publish(false, toCallError(e));
        return;
      }
      publish(false);
      while (alive && end === null) {
        await sleep(LIVE_MS);
        if (!alive) return;
        try {
          const before = builder.version;
          if (!(await pull())) return;
          if (builder.version !== before) publish(false);
        } catch (e) {
          publish(false, toCallError(e));
        }
        // a live timeline that filled up starts over from the (moved) range
        if (cappedAt !== null || builder.records.length >= TIMELINE_MAX_RECORDS) {
          if (alive) setGeneration((g) => g + 1);
          return;
        }
      }
    };
    void run();
    return () => {
      alive = false;
    };
  }, [client, span, end, generation]);
  return feed;
}

const secondNow = (store: Store) => Math.floor(consoleNow(Date.now(), store.getState().console.offsetMs) / 1000) * 1000;

/**
 * The console's clock for the timeline, to the second, ticking once a second: it reads the clock offset
 * when it ticks rather than subscribing to it (the offset moves with every fleet event: 50 redraws a second).
 */
export function useTimelineNow(store: Store): number {
  const [now, setNow] = useState(() => secondNow(store));
  useEffect(() => {
    const t = window.setInterval(() => setNow(secondNow(store)), 1000);
    return () => window.clearInterval(t);
  }, [store]);
  return now;
}
