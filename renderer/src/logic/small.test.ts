// Unit tests of the small helpers: routes, op ids, error words, host form, host key words, spec parsing, apply view.
import { describe, expect, it } from 'vitest';
import { CONTRACT, HostInputSchema } from '../../../electron/core/contract.js';
import type { ApplyOutcome } from '../../../electron/core/commands/two-phase.js';
import { outcomeDisplay, structuredDiff } from './apply-view.js';
import { errorLead, toCallError } from './errors.js';
import { validateHostForm } from './host-form.js';
import { compareCommand, hostWithAddress, keyTypeLabel } from './host-key.js';
import { newOpId } from './op-id.js';
import { hrefOf, parseRoute } from './route.js';
import { EXAMPLE_SPEC, parseSpec } from './spec-text.js';

describe('routes', () => {
  it('parses and builds hash routes', () => {
    expect(parseRoute('')).toEqual({ view: 'fleet' });
    expect(parseRoute('#/groups')).toEqual({ view: 'groups' });
    expect(parseRoute('#/host/fw1')).toEqual({ view: 'host', host: 'fw1' });
    expect(parseRoute(hrefOf({ view: 'host', host: 'fw 1/x' }))).toEqual({ view: 'host', host: 'fw 1/x' });
    expect(parseRoute('#/host/%E0%A4%A')).toEqual({ view: 'host', host: '%E0%A4%A' });
  });
});

describe('op ids', () => {
  // Checked by the contract's own schema (what the core will accept), not a copy of its regex.
  const accepted = (op: string) => CONTRACT.deploy.args.safeParse([undefined, { op }]).success;
  it('match the contract', () => {
    expect(accepted('not an op id!')).toBe(false); // the contract does check ops
    for (let i = 0; i < 20; i++) expect(accepted(newOpId('maint'))).toBe(true);
    expect(accepted(newOpId('x'.repeat(80)))).toBe(true); // a long prefix is cut to the contract's 64
    expect(newOpId('a')).not.toBe(newOpId('a'));
  });
});

describe('errors', () => {
  it('words per code, RemoteError-like values kept', () => {
    expect(errorLead('read-only')).toMatch(/read-only/);
    expect(errorLead('weird')).toBe('Failed (weird)');
    expect(toCallError({ code: 'refused', message: 'changed key' })).toEqual({ code: 'refused', message: 'changed key' });
    expect(toCallError(new Error('boom'))).toEqual({ code: 'failed', message: 'boom' });
    expect(toCallError('x')).toEqual({ code: 'failed', message: 'x' });
  });
});

describe('host form', () => {
  const form = { name: 'fw4', address: '198.18.1.4', port: '22', user: 'root', identityFile: '', jump: '' };
  it('accepts a valid host and leaves empty optionals out', () => {
    expect(validateHostForm(form, HostInputSchema)).toEqual({ input: { name: 'fw4', address: '198.18.1.4', port: 22, user: 'root' }, errors: {} });
  });
  it('names the bad fields with the contract messages', () => {
    const { errors } = validateHostForm({ ...form, name: '-bad', port: 'ssh', address: '' }, HostInputSchema);
    expect(errors.name).toMatch(/letters, digits/);
    expect(errors.port).toBe('must be a number, 1..65535');
    expect(errors.address).toMatch(/host name or an IPv4/);
    expect(validateHostForm({ ...form, port: '70000' }, HostInputSchema).errors.port).toBe('must be 1..65535');
  });
});

describe('host key words', () => {
  it('as OpenSSH prints them', () => {
    expect(keyTypeLabel('ssh-ed25519')).toBe('ED25519');
    expect(keyTypeLabel('ecdsa-sha2-nistp256')).toBe('ECDSA');
    expect(keyTypeLabel('rsa-sha2-512')).toBe('RSA');
    expect(compareCommand('ssh-ed25519')).toBe('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
    expect(compareCommand('ssh-rsa')).toBe('ssh-keygen -lf /etc/ssh/ssh_host_rsa_key.pub');
    expect(hostWithAddress('fw1', '198.18.1.1')).toBe('fw1 (198.18.1.1)');
    expect(hostWithAddress('fw1')).toBe('fw1');
  });
});

describe('group file parsing', () => {
  it('parses the example', () => {
    const r = parseSpec(EXAMPLE_SPEC);
    expect(r.ok && r.spec.members.map((m) => m.host)).toEqual(['fw1', 'fw3', 'fw2']);
  });
  it('names the field that is wrong', () => {
    const r = parseSpec('{"vhid":300,"interface":"eth0","addresses":["198.18.0.100/24"],"password":"x","members":[{"host":"fw1","advskew":0}]}');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.join('\n')).toMatch(/vhid/);
    expect(parseSpec('  ')).toEqual({ ok: false, problems: ['the group file is empty: paste YAML or JSON'] });
    expect(parseSpec('vhid: [').ok).toBe(false);
  });
});

describe('apply view', () => {
  const base: ApplyOutcome = { ok: true, dryRun: true, phase: 'done', hosts: [], summary: '', preview: 'group vhid 1', diff: [] };
  it('reads the structured diff when present, else null (an older core: preview text)', () => {
    const { diff: _, ...older } = base;
    expect(structuredDiff(older as ApplyOutcome)).toBeNull();
    const withDiff: ApplyOutcome = { ...base, diff: [{ host: 'fw1', action: 'update', fields: [{ field: 'advskew', before: '0', after: '10' }] }] };
    expect(structuredDiff(withDiff)).toEqual(withDiff.diff);
  });
  it('outcomes as word + symbol', () => {
    expect(outcomeDisplay('rolled-back')).toMatchObject({ label: 'rolled back', symbol: '↩' });
    expect(outcomeDisplay('whatever').label).toBe('whatever');
  });
});
