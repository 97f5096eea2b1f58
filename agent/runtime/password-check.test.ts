// The runtime reports each group's password check value once it is derived (off the event loop), with
// a 'group' event; before that, and after a password change until the new value is ready, none. The
// password itself is never in a snapshot or an event.
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Runtime } from './runtime.js';
import type { NetPort } from '../net/index.js';
import { parseAgentConfig } from '../config/schema.js';
import { passwordCheck } from '../config/password-check.js';
import type { AgentEvent } from '../control/messages.js';

const net: NetPort = {
  interfaceInfo: (name: string) => (name === 'eth0' ? { name, address: '198.18.9.1', segment: '198.18.9.0/24', mac: Buffer.alloc(6, 1), ifindex: 7 } : null),
  interfaceAddresses: () => ['198.18.9.1'],
  openCarp: () => ({ send: () => {}, close: () => {} }),
  addAddress: () => {},
  removeAddress: () => {},
  sendFrame: () => {},
  carrierUp: () => true,
};
const VIPS = ['198.18.9.100/24'];
const group = (password: string) => ({ vhid: 42, interface: 'eth0', addresses: VIPS, password, advskew: 10 });

let dir: string;
let rt: Runtime | null = null;
afterEach(async () => {
  await rt?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('password check value in status', () => {
  it('is absent until derived, then reported with a group event; a new password starts over', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ar-pwc-'));
    const events: AgentEvent[] = [];
    rt = new Runtime({ net, log: { info: () => {}, error: () => {} }, version: 't', configPath: join(dir, 'config.json'), statePath: join(dir, 'state.json'), persist: false });
    rt.subscribe((e) => events.push(e));
    rt.start(parseAgentConfig({ groups: [group('first-pw')] }));
    expect(rt.snapshot().groups[0].passwordCheck).toBeUndefined(); // not derived yet: "unknown" to the console
    // the same cached derivation the group waits for: once it resolves, the group has taken its value
    const first = await passwordCheck(42, 'first-pw', VIPS);
    expect(rt.snapshot().groups[0].passwordCheck).toBe(first);
    expect(events.some((e) => e.kind === 'group' && e.group.passwordCheck === first)).toBe(true);

    await rt.execute({ id: 1, cmd: 'apply', config: parseAgentConfig({ groups: [group('second-pw')] }) });
    expect(rt.snapshot().groups[0].passwordCheck).not.toBe(first); // never the old password's value
    const second = await passwordCheck(42, 'second-pw', VIPS);
    await new Promise((r) => setImmediate(r));
    expect(rt.snapshot().groups[0].passwordCheck).toBe(second);
    const text = JSON.stringify([rt.snapshot(), events]);
    expect(text).not.toContain('first-pw');
    expect(text).not.toContain('second-pw');
  });
});
