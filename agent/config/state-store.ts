// The agent's persistent runtime state (demotion, maintenance) in state.json beside the config,
// so maintenance survives agent restarts and host reboots.
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { atomicWriteFile } from './atomic.js';
import { readBoundedText } from '../boundary/read-file.js';
import { describeIssues } from './schema.js';

export const PersistentStateSchema = z.object({
  demote: z.number().int().min(0).max(255).default(0),
  maintenance: z.boolean().default(false),
  /** `carp-agent allow off --persist` (net.inet.carp.allow=0 in sysctl.conf): false keeps CARP off across restarts. Absent: allowed. */
  allow: z.boolean().optional(),
});
export type PersistentState = z.output<typeof PersistentStateSchema>;

export function statePathFor(configPath: string): string {
  return join(dirname(configPath), 'state.json');
}

/**
 * What a state.json that exists but cannot be read or is invalid stands for: maintenance ON. The file
 * may have said "in maintenance" (an operator is working on this host): coming back in service by
 * itself, the host would take its groups back (preempt) under the operator's hands. In maintenance it
 * masters nothing while a peer is there and still covers when it is alone; the console shows it in
 * maintenance with "Leave maintenance". Only a missing file means a fresh host (defaults).
 */
export const FAIL_SAFE_STATE: PersistentState = { demote: 0, maintenance: true };

/** Reads state.json; missing means the defaults; unreadable or invalid means FAIL_SAFE_STATE and `problem` says why. */
export function loadState(path: string): { state: PersistentState; problem?: string } {
  const failSafe = (why: string) => ({
    state: { ...FAIL_SAFE_STATE },
    problem: `${path}: ${why}; starting in maintenance to be safe (it may have been on): check the host, then \`carp-agent maintenance off\``,
  });
  let text: string;
  try {
    text = readBoundedText(path, 64 * 1024, 'state.json');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: { demote: 0, maintenance: false } };
    return failSafe(`cannot be read (${(e as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return failSafe(text.trim() === '' ? 'is empty (truncated?)' : 'is not valid JSON');
  }
  const r = PersistentStateSchema.safeParse(data);
  if (r.success) return { state: r.data };
  return failSafe(`is invalid (${describeIssues(r.error).join('; ')})`);
}

export function saveState(path: string, state: PersistentState): void {
  atomicWriteFile(path, JSON.stringify(state) + '\n');
}
