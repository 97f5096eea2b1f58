// What system the agent runs on, in the words its operator knows: the distribution's PRETTY_NAME
// from /etc/os-release (or the platform) and the kernel release. Read once, cached.
import { readFileSync } from 'node:fs';
import { release, type } from 'node:os';

let cached: string | undefined;

/** Parses os-release text (KEY="value" lines) for PRETTY_NAME, else NAME VERSION_ID. */
export function prettyName(osRelease: string): string | undefined {
  const vars = new Map<string, string>();
  for (const line of osRelease.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) vars.set(m[1], m[2].replace(/^(["'])(.*)\1$/, '$2'));
  }
  return vars.get('PRETTY_NAME') || [vars.get('NAME'), vars.get('VERSION_ID')].filter(Boolean).join(' ') || undefined;
}

export function osDescription(): string {
  if (cached !== undefined) return cached;
  let distro: string | undefined;
  try {
    distro = prettyName(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    distro = undefined;
  }
  cached = `${distro ?? type()}, ${type()} ${release()}`.slice(0, 200);
  return cached;
}
