// Parses a group file in the renderer with the core's own parser, so problems name the field
// ("members.0.advskew: must be 0..254") before anything is sent.
import { parseGroupSpecText, SpecError, type GroupSpec } from '../../../electron/core/commands/group-spec.js';

export type SpecParse = { ok: true; spec: GroupSpec } | { ok: false; problems: string[] };

export function parseSpec(text: string, source = 'group file'): SpecParse {
  if (!text.trim()) return { ok: false, problems: ['the group file is empty: paste YAML or JSON'] };
  try {
    return { ok: true, spec: parseGroupSpecText(text, source) };
  } catch (e) {
    if (e instanceof SpecError) return { ok: false, problems: e.problems };
    return { ok: false, problems: [(e as Error).message] };
  }
}

export const EXAMPLE_SPEC = `vhid: 1
name: lan-gateway
interface: eth0
addresses: [198.18.0.100/24]
password: change-me
advbase: 1
preempt: true
members:
  - {host: fw1, advskew: 0}
  - {host: fw3, advskew: 50}
  - {host: fw2, advskew: 100}
`;
