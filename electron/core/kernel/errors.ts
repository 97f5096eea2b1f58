// Errors of the kernel-CARP parsers and command builders: a parse error names the tool, the line
// (number and text) and what was wrong; a command error names the input that was refused and why.

/** Longest line text quoted in an error (the rest is cut with "…"). */
const QUOTE_MAX = 120;

/** A line for an error message: FreeBSD's `ifconfig -k` carp key (never requested, but possible) is hidden. */
function quote(line: string): string {
  const safe = line.replace(/ key ".*"/, ' key "<redacted>"');
  return JSON.stringify(safe.length > QUOTE_MAX ? `${safe.slice(0, QUOTE_MAX)}…` : safe);
}

/** Output of a BSD tool that the parser could not read with certainty: never a guessed state. */
export class KernelParseError extends Error {
  constructor(
    readonly tool: string,
    readonly reason: string,
    readonly lineNo?: number,
    readonly line?: string,
  ) {
    super(`${tool}: ${lineNo !== undefined ? `line ${lineNo} ${quote(line ?? '')}: ` : ''}${reason}`);
    this.name = 'KernelParseError';
  }
}

/** A command or file the builders refuse to produce (bad input, or a system that must not be written). */
export class KernelCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelCommandError';
  }
}

/**
 * The lines of a tool's output. Every tool used here ends its output with a newline, so output that
 * does not was cut (a dropped channel, a size limit): refused rather than read as a shorter but
 * plausible state. Empty output is refused too (each tool prints at least one line when it works).
 */
export function outputLines(tool: string, text: string): string[] {
  if (text.length === 0) throw new KernelParseError(tool, 'printed nothing; run it by hand on the host to see why (exit status, stderr)');
  if (!text.endsWith('\n')) {
    const lines = text.split('\n');
    throw new KernelParseError(tool, 'output ends in the middle of a line: it was cut off (truncated); read it again', lines.length, lines[lines.length - 1]);
  }
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** A decimal integer token, or undefined. */
export function intToken(s: string | undefined): number | undefined {
  return s !== undefined && /^-?\d{1,15}$/.test(s) ? Number(s) : undefined;
}
