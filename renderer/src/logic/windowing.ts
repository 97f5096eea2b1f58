// Windowing of long lists (1,000 group cards): how many items to render, growing by a step as the
// user scrolls near the end of what is rendered, never beyond the list nor below the first window.

/** Items rendered at first and added each time the end comes into view. */
export const WINDOW_STEP = 24;

/** The count to render after the end came into view: one more step, at most `total`. */
export function grownCount(shown: number, total: number, step = WINDOW_STEP): number {
  return Math.min(total, Math.max(shown, step) + step);
}

/** The count to render for a list of `total` now, keeping what was already shown (a list that shrinks shrinks it). */
export function windowCount(shown: number, total: number, step = WINDOW_STEP): number {
  return Math.min(total, Math.max(shown, step));
}
