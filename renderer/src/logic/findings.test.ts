// Unit tests of finding texts: severity words/icons, titles, fix labels, group vs fleet-wide.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../electron/core/fleet/types.js';
import { actionLabel, findingsOfGroup, findingsOfHost, findingTitle, fleetWideFindings, SEVERITY, worstSeverity } from './findings.js';

const f = (over: Partial<Finding>): Finding => ({ kind: 'host-down', severity: 'warning', hosts: ['fw2'], message: 'fw2 is stale', ...over });

describe('findings', () => {
  const list = [
    f({}),
    f({ kind: 'no-master', severity: 'error', group: '198.18.0.0/24#1', hosts: ['fw1', 'fw3'], message: 'no live member is MASTER' }),
    f({ kind: 'single-member', severity: 'warning', group: '198.18.0.0/24#1', hosts: ['fw1'], message: 'only live member' }),
    f({ kind: 'maintenance', severity: 'info', hosts: ['fw1'], message: 'fw1 is in maintenance', action: { kind: 'maintenance-exit', host: 'fw1' } }),
  ];
  it('splits by group, worst first', () => {
    expect(findingsOfGroup(list, '198.18.0.0/24#1').map((x) => x.kind)).toEqual(['no-master', 'single-member']);
    expect(fleetWideFindings(list).map((x) => x.kind)).toEqual(['host-down', 'maintenance']);
    expect(findingsOfHost(list, 'fw1').map((x) => x.kind)).toEqual(['no-master', 'single-member', 'maintenance']);
    expect(worstSeverity(list)).toBe('error');
    expect(worstSeverity([])).toBeNull();
  });
  it('severity is a word and an icon', () => {
    expect(SEVERITY.error).toMatchObject({ label: 'Error', symbol: '✕' });
    expect(SEVERITY.warning).toMatchObject({ label: 'Warning', symbol: '⚠' });
    expect(SEVERITY.info).toMatchObject({ label: 'Info', symbol: 'ℹ' });
  });
  it('titles every kind and falls back to the kind', () => {
    expect(findingTitle('stuck-demotion')).toBe('Demotion left over');
    expect(findingTitle('something-new')).toBe('something-new');
  });
  it('labels the one-click fixes', () => {
    expect(actionLabel({ kind: 'reset-demotion', host: 'fw2' })).toBe('Reset demotion on fw2');
    expect(actionLabel({ kind: 'maintenance-exit', host: 'fw1' })).toBe('Leave maintenance on fw1');
  });
});
