// The agent's configuration file (/etc/carp-agent/config.json): the one schema used by the
// agent on start, on apply/SIGHUP, and by the console before it sends a config.
import { z } from 'zod';
import { CARP_PASSPHRASE_MAX } from '../protocol/limits.js';

/** carp(4) keys are cut at 19 bytes by BSD and refused by ucarp (docs/protocol.md §2.1); defined in agent/protocol. */
export const MAX_PASSWORD_BYTES = CARP_PASSPHRASE_MAX;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export const Ipv4Schema = z.string().regex(IPV4, 'must be a dotted IPv4 address such as 198.18.0.1');

export const Ipv4CidrSchema = z.string().refine((s) => {
  const [ip, len, ...rest] = s.split('/');
  if (rest.length || !IPV4.test(ip ?? '')) return false;
  if (len === undefined) return true;
  return /^\d{1,2}$/.test(len) && Number(len) <= 32;
}, 'must be an IPv4 address with an optional prefix length, such as 198.18.0.100/24');

export const InterfaceNameSchema = z
  .string()
  .min(1, 'must name a network interface such as eth0')
  .max(15, 'is longer than 15 characters, the Linux limit for interface names')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'may only contain letters, digits and _ . : -');

export const PasswordSchema = z
  .string()
  .refine(
    (p) => new TextEncoder().encode(p).length <= MAX_PASSWORD_BYTES,
    `is longer than ${MAX_PASSWORD_BYTES} bytes: BSD carp(4) would silently cut it and ucarp refuses it; use at most ${MAX_PASSWORD_BYTES} bytes`,
  );

/** A hook script: run as root by the agent, so only an absolute path (no PATH lookup, no cwd surprise). */
export const ScriptPathSchema = z
  .string()
  .regex(/^\/[^\0]*$/, 'must be an absolute path such as /usr/local/sbin/vip-up.sh (it runs as root; no PATH lookup)');

/**
 * advbase 0 (OpenBSD and ucarp; FreeBSD refuses it): adverts every advskew/256 s, so advskew must not be
 * 0 then. The one rule beyond the ranges; GroupConfigSchema applies it, and so does every schema built
 * from GroupConfigObjectSchema (the group spec, per member). Null when the pair is fine.
 */
export function advbaseProblem(advbase: number, advskew: number): string | null {
  if (advbase === 0 && advskew === 0) return 'advbase 0 needs advskew 1..254: the advert interval is advskew/256 s, and 0 would be no interval at all';
  return null;
}

/** A group's fields without the advbase/advskew rule: for schemas derived from it (omit/pick need an unrefined object). */
export const GroupConfigObjectSchema = z
  .object({
    vhid: z.number().int().min(1, 'must be 1..255').max(255, 'must be 1..255'),
    name: z.string().max(64).optional(),
    interface: InterfaceNameSchema,
    addresses: z.array(Ipv4CidrSchema).min(1, 'must list at least one virtual address'),
    password: PasswordSchema,
    advbase: z.number().int().min(0, 'must be 0..255 seconds (0: sub-second adverts, every advskew/256 s)').max(255, 'must be 0..255 seconds').default(1),
    advskew: z.number().int().min(0, 'must be 0..254').max(254, 'must be 0..254 (255 is reserved for the bow-out advert)').default(0),
    /** Take the group back from a less preferred master. Absent: the config's top-level `preempt` (default false). */
    preempt: z.boolean().optional(),
    /** Source address of adverts; default: the interface's first IPv4 address. */
    srcip: Ipv4Schema.optional(),
    /** ucarp-style hooks: run as `script <interface> <vaddr> [xparam]`. */
    upscript: ScriptPathSchema.optional(),
    downscript: ScriptPathSchema.optional(),
    xparam: z.string().optional(),
    /** ucarp --neutral: do not run the downscript when entering BACKUP at start. */
    neutral: z.boolean().default(false),
  })
  .strict();

export const GroupConfigSchema = GroupConfigObjectSchema.superRefine((g, ctx) => {
  const problem = advbaseProblem(g.advbase, g.advskew);
  if (problem) ctx.addIssue({ code: 'custom', path: ['advskew'], message: problem });
});

export const AgentConfigSchema = z
  .object({
    groups: z.array(GroupConfigSchema),
    /** OpenBSD's net.inet.carp.preempt: the default of every group that does not set its own `preempt`. */
    preempt: z.boolean().optional(),
    /** OpenBSD's net.inet.carp.log: the syslog level of CARP messages, 0..7 (default 2, LOG_CRIT: state changes). */
    log: z
      .number()
      .int('must be a whole number 0..7')
      .min(0, 'must be a syslog level 0..7 (2 = crit, the default: state changes; 7 = debug)')
      .max(7, 'must be a syslog level 0..7 (2 = crit, the default: state changes; 7 = debug)')
      .optional(),
    /**
     * OpenBSD's net.inet.carp.arpbalance: groups on one interface that share exactly the same addresses
     * split the clients between them (agent/protocol/balance.ts); each vhid's master answers ARP for its
     * clients with the vhid's virtual MAC. Off (default): no two groups may share an address.
     */
    arpbalance: z.boolean().optional(),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, number>();
    cfg.groups.forEach((g, i) => {
      const key = `${g.interface}/${g.vhid}`;
      const prev = seen.get(key);
      if (prev !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['groups', i, 'vhid'],
          message: `vhid ${g.vhid} on ${g.interface} is already used by groups[${prev}]; each vhid may appear once per interface`,
        });
      } else seen.set(key, i);
    });
    // The agent removes every VIP at start and when a group stops: a VIP that is also the host's own
    // source address, or that two groups hold, would take the host's address away or flap between groups.
    // With arpbalance, groups that share an address must share all of them: they are one balanced set.
    const vips = new Map<string, number>();
    cfg.groups.forEach((g, i) => {
      g.addresses.forEach((a, j) => {
        const ip = a.split('/')[0];
        if (g.srcip !== undefined && ip === g.srcip) {
          ctx.addIssue({
            code: 'custom',
            path: ['groups', i, 'addresses', j],
            message: `${ip} is also this group's srcip: a virtual address must not be the host's own address (the agent removes VIPs when it starts and stops)`,
          });
        }
        const key = `${g.interface}/${ip}`;
        const owner = vips.get(key);
        if (owner === undefined || owner === i) {
          vips.set(key, i);
          return;
        }
        if (!cfg.arpbalance) {
          ctx.addIssue({
            code: 'custom',
            path: ['groups', i, 'addresses', j],
            message: `${ip} on ${g.interface} is already a virtual address of groups[${owner}]; a VIP may belong to one group per interface (set "arpbalance": true to balance clients between groups that share all their addresses)`,
          });
        } else if (addressSet(cfg.groups[owner].addresses) !== addressSet(g.addresses)) {
          ctx.addIssue({
            code: 'custom',
            path: ['groups', i, 'addresses'],
            message: `shares ${ip} on ${g.interface} with groups[${owner}] but not the same addresses (${addressSet(g.addresses)} against ${addressSet(cfg.groups[owner].addresses)}); balanced groups must list exactly the same addresses`,
          });
        }
      });
    });
  });

export type GroupConfig = z.output<typeof GroupConfigSchema>;
export type AgentConfig = z.output<typeof AgentConfigSchema>;

/** A group's addresses as one comparable string: sorted, with their prefixes ("198.18.0.100/24"). */
export function addressSet(addresses: readonly string[]): string {
  return [...addresses].sort().join(', ');
}

/** Turns zod issues into lines that name the field and the reason: `groups[0].advskew: must be 0..254`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join('');
    return `${path || '(top level)'}: ${issue.message}`;
  });
}

/** A document that failed its schema: names where it came from and every bad field with the reason. */
export class ValidationError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
    what = 'configuration',
  ) {
    super(`${source}: invalid ${what}:\n  ${problems.join('\n  ')}`);
    this.name = new.target.name;
  }
}

export class ConfigError extends ValidationError {}

/** Parses `data` with `schema`, or throws `fail(problems)` naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, data: unknown, fail: (problems: string[]) => Error): z.output<S> {
  const r = schema.safeParse(data);
  if (!r.success) throw fail(describeIssues(r.error));
  return r.data;
}

/** Validates parsed JSON; throws ConfigError naming every bad field. */
export function parseAgentConfig(data: unknown, source = 'config'): AgentConfig {
  return parseOrThrow(AgentConfigSchema, data, (problems) => new ConfigError(source, problems));
}
