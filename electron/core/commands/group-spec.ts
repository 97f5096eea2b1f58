// A CARP group as the user writes it (JSON or YAML): shared settings plus per-member ones.
// `carpctl group apply FILE` and ConsoleApi.applyGroup take exactly this.
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { GroupConfigObjectSchema, GroupConfigSchema, ValidationError, advbaseProblem, parseOrThrow, type GroupConfig } from '../../../agent/config/schema.js';
import { utf8Length } from '../../../agent/control/messages.js';
import { MAX_NESTING, nestsDeeperThan } from '../../../agent/boundary/nesting.js';

const G = GroupConfigObjectSchema.shape;

/** One member host: its own advskew, and overrides of the group's settings where that host differs. */
export const MemberSpecSchema = z
  .object({
    host: z.string().min(1, 'must name a host of the inventory'),
    advskew: G.advskew,
    advbase: G.advbase.removeDefault().optional(),
    preempt: G.preempt,
    /** Per-member overrides when a host's LAN interface has another name or address. */
    interface: G.interface.optional(),
    srcip: G.srcip,
  })
  .strict();

/** The agent's group config (one schema, agent/config/schema.ts) minus the per-member keys, plus members. */
export const GroupSpecSchema = GroupConfigObjectSchema.omit({ advskew: true, srcip: true })
  .extend({ members: z.array(MemberSpecSchema).min(1, 'must list at least one member host') })
  .strict()
  .superRefine((g, ctx) => {
    const seen = new Set<string>();
    g.members.forEach((m, i) => {
      if (seen.has(m.host)) ctx.addIssue({ code: 'custom', path: ['members', i, 'host'], message: `${m.host} is listed twice; list each host once` });
      seen.add(m.host);
      // The agent's own advbase/advskew rule (agent/config/schema.ts), on what this member will run.
      const problem = advbaseProblem(m.advbase ?? g.advbase, m.advskew);
      if (problem) ctx.addIssue({ code: 'custom', path: ['members', i, 'advskew'], message: problem });
    });
  });

export type GroupSpecInput = z.input<typeof GroupSpecSchema>;
export type GroupSpec = z.output<typeof GroupSpecSchema>;
export type MemberSpec = z.output<typeof MemberSpecSchema>;

export class SpecError extends ValidationError {
  constructor(source: string, problems: string[]) {
    super(source, problems, 'group');
  }
}

export function validateGroupSpec(data: unknown, source = 'group'): GroupSpec {
  return parseOrThrow(GroupSpecSchema, data, (problems) => new SpecError(source, problems));
}

/** A group file larger than this is refused before it is parsed (a group of 255 members takes ~20 KiB). */
export const MAX_GROUP_FILE_BYTES = 256 * 1024;

/** Parses a group file's text: JSON if it looks like JSON, YAML otherwise (YAML is a superset anyway). */
export function parseGroupSpecText(text: string, source = 'group'): GroupSpec {
  return validateGroupSpec(groupFileData(text, source), source);
}

/** A group file's text as data, bounded before it is parsed (JSON or YAML); not yet validated. */
export function groupFileData(text: string, source = 'group'): unknown {
  if (utf8Length(text, MAX_GROUP_FILE_BYTES) > MAX_GROUP_FILE_BYTES) {
    throw new SpecError(source, [`(file): is larger than ${MAX_GROUP_FILE_BYTES / 1024} KiB, more than a group file may be; is it the right file?`]);
  }
  if (nestsDeeperThan(text)) throw new SpecError(source, [`(file): nests [ or { more than ${MAX_NESTING} deep; a group file nests 3 levels`]);
  let data: unknown;
  try {
    data = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text, { logLevel: 'error' });
  } catch (err) {
    throw new SpecError(source, [`is neither valid JSON nor YAML: ${(err as Error).message}`]);
  }
  return data;
}

/** The exact GroupConfig (agent/config/schema.ts) that member `m` receives with putGroup. */
export function memberConfig(spec: GroupSpec, m: MemberSpec): GroupConfig {
  return GroupConfigSchema.parse({
    vhid: spec.vhid,
    ...(spec.name ? { name: spec.name } : {}),
    interface: m.interface ?? spec.interface,
    addresses: spec.addresses,
    password: spec.password,
    advbase: m.advbase ?? spec.advbase,
    advskew: m.advskew,
    // Explicit (false when the file says nothing): a group file is the whole truth, whatever the host's default.
    preempt: m.preempt ?? spec.preempt ?? false,
    ...(m.srcip ? { srcip: m.srcip } : {}),
    ...(spec.upscript ? { upscript: spec.upscript } : {}),
    ...(spec.downscript ? { downscript: spec.downscript } : {}),
    ...(spec.xparam ? { xparam: spec.xparam } : {}),
    neutral: spec.neutral,
  });
}
