// One SSH exec that runs several commands and prints each one's output between marker lines, so a
// single round trip reads everything and a cut-off stream is detected (the end marker is missing).
// The markers start with "@@carp-console:", which no BSD tool prints.
import { KernelParseError } from './errors.js';

export const SECTION_MARK = '@@carp-console:';
const END = 'end';

export interface SectionStep {
  /** Section name: lower-case letters, digits and dashes. */
  name: string;
  /** POSIX sh run for the section; its stdout is the section's text, its exit status is recorded. */
  sh: string;
}

export interface Section {
  text: string;
  /** The step's exit status. */
  rc: number;
}

/**
 * The sh script: for each step, "@@carp-console:NAME", the step's stdout exactly as printed (captured
 * with a trailing "rc=" so $(…) keeps its final newlines), a newline, then "@@carp-console:rc N".
 * Ends with "@@carp-console:end". stderr is dropped: the exit status says whether a step failed.
 */
export function sectionScript(steps: SectionStep[], preamble = ''): string {
  for (const s of steps) if (!/^[a-z0-9-]+$/.test(s.name) || s.name === END || s.name === 'rc') throw new Error(`bad section name ${s.name}`);
  const body = steps.map(
    (s) =>
      `echo '${SECTION_MARK}${s.name}'\nout=$( ( ${s.sh} ) 2>/dev/null; echo "rc=$?" )\nrc=\${out##*rc=}; out=\${out%rc=*}\nprintf '%s\\n${SECTION_MARK}rc %s\\n' "$out" "$rc"`,
  );
  return ['#!/bin/sh', '# carp-console kernel CARP read (POSIX sh, base system tools only)', 'PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin', preamble, ...body, `echo '${SECTION_MARK}${END}'`, '']
    .filter((l) => l !== '')
    .join('\n')
    .concat('\n');
}

/** Splits a section script's output; throws when a marker is missing (the stream was cut) or out of order. */
export function parseSections(tool: string, text: string, expected: string[]): Record<string, Section> {
  const lines = text.split('\n');
  const out: Record<string, Section> = {};
  let i = 0;
  for (const name of expected) {
    if (lines[i] !== `${SECTION_MARK}${name}`)
      throw new KernelParseError(tool, `expected the section marker ${SECTION_MARK}${name}: output cut off or not from this script`, i + 1, lines[i] ?? '');
    const start = ++i;
    while (i < lines.length && !lines[i].startsWith(SECTION_MARK)) i++;
    const rcLine = lines[i] ?? '';
    const rc = /^@@carp-console:rc (\d+)$/.exec(rcLine);
    if (!rc) throw new KernelParseError(tool, `section ${name} has no "${SECTION_MARK}rc N" line after it: output cut off`, i + 1, rcLine);
    // The script printed the output, then "\n" before the rc marker: joining the lines between undoes that.
    out[name] = { text: lines.slice(start, i).join('\n'), rc: Number(rc[1]) };
    i++;
  }
  if (lines[i] !== `${SECTION_MARK}${END}`) throw new KernelParseError(tool, `no ${SECTION_MARK}${END} line: output cut off`, i + 1, lines[i] ?? '');
  return out;
}
