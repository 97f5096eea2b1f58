// Reading a range of the history page by page (HistoryQuery.limit, oldest first): a cursor (a time and
// how many records at that time were taken) so that the next page, asked from that time, repeats nothing.
import type { HistoryRecord } from '../../../electron/core/history/records.js';

/** Records per page: about 0.3 MB of JSON, parsed in a few ms (the first page also carries the state at `from`: one record per lane). */
export const PAGE_RECORDS = 2000;

export interface Cursor {
  /** Ask the next page from this time. */
  t: number;
  /** Records at exactly `t` already taken (the next page starts with them again). */
  seen: number;
}

/**
 * One page asked from `cursor.t`: the records to add (the state at `from` first when the page has it,
 * then the fresh ones, without those at cursor.t already taken) and the cursor for the next page.
 * A page of nothing new while more follow (more records at one instant than a page holds) moves past it.
 */
export function takePage(cursor: Cursor, page: { records: HistoryRecord[]; truncated: boolean }): { records: HistoryRecord[]; next: Cursor } {
  const rs = page.records;
  let i = 0;
  while (i < rs.length && rs[i].t < cursor.t) i++; // the state at `from` (asked for on the first page only)
  let skip = 0;
  while (skip < cursor.seen && i + skip < rs.length && rs[i + skip].t === cursor.t) skip++;
  const fresh = rs.slice(i + skip);
  const out = i ? [...rs.slice(0, i), ...fresh] : fresh;
  if (!fresh.length) return { records: out, next: page.truncated ? { t: cursor.t + 1, seen: 0 } : cursor };
  const last = fresh[fresh.length - 1].t;
  let atLast = 0;
  for (let k = fresh.length - 1; k >= 0 && fresh[k].t === last; k--) atLast++;
  return { records: out, next: { t: last, seen: last === cursor.t ? cursor.seen + atLast : atLast } };
}
