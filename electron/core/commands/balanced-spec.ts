// A balanced set (OpenBSD's arpbalance) as the user writes it in one group file: the shared settings of a
// group file, and under `balance` one entry per vhid with its members, each vhid skewed toward its host.
// `carpctl group apply FILE` and ConsoleApi.applyGroup take it next to the single group (group-spec.ts).
import { z } from 'zod';
import { GroupConfigObjectSchema, parseOrThrow } from '../../../agent/config/schema.js';
import { GroupSpecSchema, MemberSpecSchema, SpecError, groupFileData, validateGroupSpec, type GroupSpec, type GroupSpecInput } from './group-spec.js';

/** One vhid of the set: its number and its members, each with the advskew it has in this vhid. */
export const BalancedVhidSchema = z
  .object({
    vhid: GroupConfigObjectSchema.shape.vhid,
    members: z.array(MemberSpecSchema).min(1, 'must list the member hosts of this vhid'),
  })
  .strict();

/**
 * The group file's shared settings (interface, addresses, password, advbase, preempt, name, hooks) with
 * `balance` instead of `vhid` and `members`: at least 2 distinct vhids, every member host in every vhid.
 * Each vhid is then checked as the single group it becomes (GroupSpecSchema: advbase/advskew, hosts once).
 */
export const BalancedSpecSchema = GroupConfigObjectSchema.omit({ vhid: true, advskew: true, srcip: true })
  .extend({
    balance: z
      .array(BalancedVhidSchema)
      .min(2, 'a balanced set needs at least 2 vhids sharing the addresses (one per host, each skewed toward its host)')
      .max(255, 'lists more vhids than CARP has (255)'),
  })
  .strict()
  .superRefine((b, ctx) => {
    const seen = new Map<number, number>();
    b.balance.forEach((x, i) => {
      const prev = seen.get(x.vhid);
      if (prev !== undefined) ctx.addIssue({ code: 'custom', path: ['balance', i, 'vhid'], message: `vhid ${x.vhid} is already balance[${prev}]; each vhid of a balanced set must be distinct` });
      else seen.set(x.vhid, i);
    });
    // every member in every vhid: a host missing from a vhid cannot take over the clients hashed to it
    const all = [...new Set(b.balance.flatMap((x) => x.members.map((m) => m.host)))];
    b.balance.forEach((x, i) => {
      const here = new Set(x.members.map((m) => m.host));
      const missing = all.filter((h) => !here.has(h));
      if (missing.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['balance', i, 'members'],
          message: `vhid ${x.vhid} leaves out ${missing.join(', ')}: every member host must be in every vhid of a balanced set (each takes over the others' clients when they fail); add ${missing.length === 1 ? 'it' : 'them'} with a higher advskew`,
        });
      }
      // the single group this vhid becomes, with the single group's own rules
      const single = GroupSpecSchema.safeParse(specData(b, x));
      if (!single.success) {
        for (const issue of single.error.issues) {
          if (issue.path[0] !== 'members') continue; // the shared fields were checked above, once
          ctx.addIssue({ code: 'custom', path: ['balance', i, ...issue.path], message: issue.message });
        }
      }
    });
  });

export type BalancedSpecInput = z.input<typeof BalancedSpecSchema>;
export type BalancedSpec = z.output<typeof BalancedSpecSchema>;
export type BalancedVhid = z.output<typeof BalancedVhidSchema>;

/** What a group file holds: one group, or a balanced set (it has `balance`). */
export type GroupFile = GroupSpec | BalancedSpec;
export type GroupFileInput = GroupSpecInput | BalancedSpecInput;

export function isBalancedSpec(x: unknown): x is BalancedSpec {
  return typeof x === 'object' && x !== null && 'balance' in x;
}

/** The single group's data for one vhid of the set: the shared settings with that vhid and its members. */
function specData(b: BalancedSpec, x: BalancedVhid): GroupSpecInput {
  const { balance: _balance, ...shared } = b;
  return { ...shared, vhid: x.vhid, members: x.members };
}

/** Each vhid of the set as the single group it is on the hosts (validated: the set's rules imply the group's). */
export function balancedGroups(b: BalancedSpec): GroupSpec[] {
  return b.balance.map((x) => validateGroupSpec(specData(b, x), `balance vhid ${x.vhid}`));
}

/**
 * A group file's schema for the contract (ConsoleApi.applyGroup): a balanced set when the data has
 * `balance`, else one group, each with its own schema so that errors name the fields of the right one.
 */
export const GroupFileSchema = z.custom<GroupFileInput>((x) => typeof x === 'object' && x !== null, 'must be a group file (an object)').transform((data, ctx): GroupFile => {
  const r = isBalancedSpec(data) ? BalancedSpecSchema.safeParse(data) : GroupSpecSchema.safeParse(data);
  if (!r.success) {
    for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  }
  return r.data;
});

export function validateBalancedSpec(data: unknown, source = 'group'): BalancedSpec {
  return parseOrThrow(BalancedSpecSchema, data, (problems) => new SpecError(source, problems));
}

/** A group file's data validated with the schema it is written for (a balanced set has `balance`). */
export function validateGroupFile(data: unknown, source = 'group'): GroupFile {
  return isBalancedSpec(data) ? validateBalancedSpec(data, source) : validateGroupSpec(data, source);
}

/** Parses a group file's text (JSON or YAML): one group or a balanced set. */
export function parseGroupFileText(text: string, source = 'group'): GroupFile {
  return validateGroupFile(groupFileData(text, source), source);
}
