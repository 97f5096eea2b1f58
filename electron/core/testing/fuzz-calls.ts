// Valid ConsoleApi calls as {method, args} JSON, and a stub core that accepts every method: the seeds
// and the backend of the IPC and WebSocket fuzz tests (the core itself is not what they exercise).
import type { ConsoleApi } from '../api.js';

const SPEC = {
  vhid: 42, interface: 'eth0', addresses: ['198.18.0.100/24'], password: 'change-me', advbase: 1,
  members: [{ host: 'fw1', advskew: 0, preempt: true }, { host: 'fw2', advskew: 100, preempt: true }],
};

export const VALID_CALLS: { method: string; args: unknown[] }[] = [
  { method: 'info', args: [] },
  { method: 'fleet', args: [] },
  { method: 'set', args: ['fw1', 7, 'advskew', 100] },
  { method: 'demote', args: ['fw1', 'add', -1] },
  { method: 'applyGroup', args: [SPEC, { dryRun: true, op: 'op-1' }] },
  { method: 'deleteGroup', args: [42, { dryRun: true, segment: '198.18.0.0/24' }] },
  { method: 'addHost', args: [{ name: 'fw9', address: '198.18.0.9', port: 22, tags: ['lab'] }] },
  { method: 'importHosts', args: [{ text: 'Host fw9\n  HostName 198.18.0.9\n', name: 'config' }] },
  { method: 'maintenanceEnter', args: ['fw1', { reboot: true, wait: false }] },
  { method: 'trustHostKey', args: ['fw1'] },
];

/** A ConsoleApi whose every method resolves with the arguments it got (subscribe gives nothing). */
export function stubApi(): ConsoleApi {
  return new Proxy({} as ConsoleApi, {
    get: (_t, p) => (p === 'subscribe' ? () => () => {} : (...args: unknown[]) => Promise.resolve({ method: String(p), args })),
  });
}
