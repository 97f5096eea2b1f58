// The agent's version: package version + "+" + 8 hex of the bundle's sha256, injected by the build.
import { readFileSync } from 'node:fs';

declare const __CARP_AGENT_VERSION__: string | undefined;

export function agentVersion(): string {
  if (typeof __CARP_AGENT_VERSION__ !== 'undefined') return __CARP_AGENT_VERSION__;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return `${pkg.version}+dev`;
  } catch {
    return '0.0.0+dev';
  }
}
