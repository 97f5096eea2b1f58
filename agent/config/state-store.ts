// The agent's persistent runtime state (demotion, maintenance) in state.json beside the config,
// so maintenance survives agent restarts and host reboots.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { atomicWriteFile } from './atomic.js';

export const PersistentStateSchema = z.object({
  demote: z.number().int().min(0).max(255).default(0),
  maintenance: z.boolean().default(false),
});
export type PersistentState = z.output<typeof PersistentStateSchema>;

export function statePathFor(configPath: string): string {
  return join(dirname(configPath), 'state.json');
}

/** Reads state.json; missing or unreadable means the defaults (and `problem` says why, for the log). */
export function loadState(path: string): { state: PersistentState; problem?: string } {
  try {
    const r = PersistentStateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (r.success) return { state: r.data };
    return { state: { demote: 0, maintenance: false }, problem: `${path}: ignored, invalid: ${r.error.issues[0]?.message}` };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: { demote: 0, maintenance: false } };
    return { state: { demote: 0, maintenance: false }, problem: `${path}: ignored: ${(e as Error).message}` };
  }
}

export function saveState(path: string, state: PersistentState): void {
  atomicWriteFile(path, JSON.stringify(state) + '\n');
}
