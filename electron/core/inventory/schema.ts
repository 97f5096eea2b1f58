// The inventory: the firewalls the console knows (HostSpec from transport.ts) with its zod schema,
// validated wherever an inventory is read from disk or imported.
import { z } from 'zod';
import type { HostSpec } from '../transport.js';
import { ValidationError, parseOrThrow } from '../../../agent/config/schema.js';

export const HostSpecSchema = z
  .object({
    name: z.string().min(1, 'must name the host'),
    address: z.string().min(1, 'must be a host name or IP address'),
    port: z.number().int().min(1, 'must be 1..65535').max(65535, 'must be 1..65535').default(22),
    user: z.string().min(1).default('root'),
    identityFiles: z.array(z.string()).default([]),
    jump: z.string().min(1).optional(),
    tags: z.array(z.string()).default([]),
    /** known_hosts files that vouch for this host alone (from the import that brought it). */
    knownHostsFiles: z.array(z.string().min(1)).optional(),
  })
  .strict();

export const InventorySchema = z
  .object({
    hosts: z.array(HostSpecSchema),
    /** known_hosts files that came with this file (e.g. the lab's): they vouch for its own hosts only (scopeKnownHosts). */
    knownHostsFiles: z.array(z.string()).optional(),
  })
  .strict()
  .superRefine((inv, ctx) => {
    const seen = new Map<string, number>();
    inv.hosts.forEach((h, i) => {
      const prev = seen.get(h.name);
      if (prev !== undefined)
        ctx.addIssue({ code: 'custom', path: ['hosts', i, 'name'], message: `"${h.name}" is already used by hosts[${prev}]; host names must be unique` });
      else seen.set(h.name, i);
    });
  });

export interface Inventory {
  hosts: HostSpec[];
  knownHostsFiles?: string[];
}

/** Validates unknown data as an inventory; throws an Error whose lines name the field and the reason. */
export function parseInventory(data: unknown, source = 'inventory'): Inventory {
  return parseOrThrow(InventorySchema, data, (problems) => new ValidationError(source, problems, 'inventory'));
}
