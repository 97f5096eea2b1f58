// A cheap guard for text handed to a recursive parser (yaml): the depth of [ and { nesting, counted
// without parsing (brackets inside strings count too, so it over-estimates). Deeper than any real
// group or inventory file is refused before the parser spends seconds finding its stack exhausted.

/** Nesting deeper than this is refused: real files nest 3 or 4 levels. */
export const MAX_NESTING = 64;

/** true when `[`/`{` nest deeper than `limit` somewhere in `text`. */
export function nestsDeeperThan(text: string, limit = MAX_NESTING): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return false;
}
