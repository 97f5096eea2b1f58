// Domain types flow from the inside out: the codec (agent/protocol) and the engine (agent/engine)
// import nothing from the control socket's contract; the contract takes their types and validates
// with exactly their values.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CarpStateSchema, DropReasonSchema as ContractDropReasons } from '../control/messages.js';
import { DropReasonSchema } from '../protocol/drops.js';
import { CARP_STATES } from './types.js';

const importsOf = (dir: string) =>
  readdirSync(new URL(`../${dir}/`, import.meta.url))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .flatMap((f) => [...readFileSync(new URL(`../${dir}/${f}`, import.meta.url), 'utf8').matchAll(/^import[^;]*?from '([^']+)'/gms)].map((m) => `${dir}/${f}: ${m[1]}`));

describe('layering of the agent', () => {
  it.each(['protocol', 'engine'])('agent/%s imports nothing from agent/control, agent/runtime or agent/config', (dir) => {
    const all = importsOf(dir);
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((i) => /'?\.\.\/(control|runtime|config)\//.test(i.split(': ')[1]))).toEqual([]);
  });

  it('the contract validates with the engine states and the codec drop reasons (one definition each)', () => {
    expect(CarpStateSchema.options).toEqual([...CARP_STATES]);
    expect(ContractDropReasons).toBe(DropReasonSchema);
  });
});
