// Imports the lab's description (what `npm run lab -- up --json` prints): its hosts and the
// known_hosts file that holds their keys.
import { z } from 'zod';
import { parseInventory, type Inventory } from './schema.js';
import { describeIssues } from '../../../agent/config/schema.js';
import { InventoryError } from './errors.js';

export const LabJsonSchema = z
  .object({
    hosts: z.array(
      z
        .object({
          name: z.string().min(1),
          address: z.string().min(1),
          port: z.number().int().min(1).max(65535).default(22),
          user: z.string().min(1).default('root'),
          identityFile: z.string().optional(),
        })
        .loose(),
    ),
    knownHostsFile: z.string().optional(),
    sshConfigFile: z.string().optional(),
    lan: z.object({ cidr: z.string(), bridge: z.string() }).loose().optional(),
    client: z.unknown().optional(),
    stateDir: z.string().optional(),
  })
  .loose();
export type LabJson = z.infer<typeof LabJsonSchema>;

/** True when the data has the lab's shape (hosts with identityFile, or lab-only fields). */
export function isLabJson(data: unknown): boolean {
  if (!data || typeof data !== 'object') return false;
  const d = data as Record<string, unknown>;
  if ('knownHostsFile' in d || 'stateDir' in d || 'lan' in d) return true;
  return Array.isArray(d.hosts) && d.hosts.some((h) => h && typeof h === 'object' && 'identityFile' in h);
}

/** Lab JSON (object or text) → inventory with tag "lab" and the lab's known_hosts file. */
export function importLabJson(json: unknown): Inventory {
  const data = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
  const r = LabJsonSchema.safeParse(data);
  if (!r.success) throw new InventoryError(`not the lab's JSON (npm run lab -- up --json): ${describeIssues(r.error).join('; ')}`);
  const lab = r.data;
  // Through the one inventory schema like every other import (unique names, valid fields).
  const inv = {
    hosts: lab.hosts.map((h) => ({
      name: h.name,
      address: h.address,
      port: h.port,
      user: h.user,
      identityFiles: h.identityFile ? [h.identityFile] : [],
      tags: ['lab'],
    })),
    ...(lab.knownHostsFile ? { knownHostsFiles: [lab.knownHostsFile] } : {}),
  };
  return parseInventory(inv, "the lab's JSON");
}
