// A command for a kernel-CARP host: its argv, the same argv with every password replaced by
// REDACTED (what logs, history and errors show), and optional stdin (a file's content) likewise.
// shellLine quotes the argv for one sh command line over SSH; redactedLine is the loggable form.
import { shq } from '../deploy/scripts.js';

export const REDACTED = '<redacted>';

/** A piece of an argument: plain text, or a secret shown as REDACTED. */
export type Part = string | { secret: string };

export interface KernelCommand {
  /** What it does, for people: "set advskew of carp1 to 100". */
  summary: string;
  argv: string[];
  /** argv with secrets replaced by REDACTED: the only form to log. */
  redactedArgv: string[];
  /** Input for the command (a file's content), and its redacted form. */
  stdin?: string;
  redactedStdin?: string;
}

export function secret(value: string): Part {
  return { secret: value };
}

/** Joins parts into one argument, in clear and redacted form. */
export function arg(...parts: Part[]): { value: string; shown: string } {
  return {
    value: parts.map((p) => (typeof p === 'string' ? p : p.secret)).join(''),
    shown: parts.map((p) => (typeof p === 'string' ? p : REDACTED)).join(''),
  };
}

/** A command from arguments, each plain text, a secret, or arg(...) of several parts. */
export function command(summary: string, args: (Part | { value: string; shown: string })[], stdin?: { value: string; shown: string }): KernelCommand {
  const norm = args.map((a) => (typeof a === 'string' ? { value: a, shown: a } : 'secret' in a ? { value: a.secret, shown: REDACTED } : a));
  return {
    summary,
    argv: norm.map((a) => a.value),
    redactedArgv: norm.map((a) => a.shown),
    ...(stdin ? { stdin: stdin.value, redactedStdin: stdin.shown } : {}),
  };
}

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

function word(s: string): string {
  return PLAIN.test(s) ? s : shq(s);
}

/** The argv as one sh command line (each word quoted when needed). Holds secrets: never log it. */
export function shellLine(c: KernelCommand): string {
  return c.argv.map(word).join(' ');
}

/** The loggable command line: secrets shown as REDACTED. */
export function redactedLine(c: KernelCommand): string {
  return c.redactedArgv.map((a) => (a === REDACTED ? a : word(a))).join(' ');
}
