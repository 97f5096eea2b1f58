// The contract's server half (dispatcher) and client half (createClient) joined directly, over the
// real console core with fake agents (standing in for SSH and real agents): valid calls, payloads
// the contract refuses with a message naming the argument, read-only refusal, errors as {code, message}.
import { afterEach, describe, expect, it } from 'vitest';
import { createConsole, type Console } from './console.js';
import { fakeFleet } from './testing/fake-agent.js';
import { createDispatcher } from './dispatch.js';
import { createClient, RemoteError } from './client.js';
import { eventStream } from './event-stream.js';
import { CONTRACT, METHODS } from './contract.js';
import type { ConsoleEvent } from './events.js';

let cleanup: Array<() => void> = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

async function setup(readOnly = false) {
  const f = fakeFleet(2, 100);
  const byName = new Map(f.transports.map((t) => [t.host.name, t]));
  const c: Console = createConsole({ hosts: f.transports.map((t) => t.host), transport: (h) => byName.get(h.name)!, link: { staleMs: 300, backoffMinMs: 20 } });
  cleanup.push(() => {
    c.close();
    (f.net).stop();
  });
  await c.ready(2000);
  const dispatch = createDispatcher(c, { readOnly });
  // A transport that serialises like a wire does (JSON both ways), with fleets as the bindings send them.
  const client = createClient({
    call: async (m, args) => JSON.parse(JSON.stringify(await dispatch(m, JSON.parse(JSON.stringify(args))))),
    subscribe: (l) => {
      const events = eventStream((e) => l(JSON.parse(JSON.stringify(e))), 0);
      const off = c.subscribe((e) => events.push(e), { snapshot: true });
      return () => {
        events.stop();
        off();
      };
    },
  });
  return { c, dispatch, client };
}

describe('dispatcher and client', () => {
  it('offers every ConsoleApi method except subscribe, once', () => {
    expect(METHODS).toEqual(Object.keys(CONTRACT));
    expect(METHODS).not.toContain('subscribe');
    expect(new Set(METHODS).size).toBe(METHODS.length);
  });

  it('carries valid calls and their results; the event stream starts with the fleet', async () => {
    const { client } = await setup();
    expect((await client.fleet()).hosts.map((h) => h.host)).toEqual(['fw1', 'fw2']);
    const events: ConsoleEvent[] = [];
    const off = client.subscribe((e) => events.push(e));
    expect(events[0].type).toBe('fleet');
    expect(await client.demote('fw1', 'set', 3)).toMatchObject({ host: 'fw1' });
    expect((await client.fleet()).hosts[0].demote).toBe(3);
    expect((await client.info()).readOnly).toBe(false);
    off();
  });

  it('refuses bad payloads with a message naming what is wrong, and keeps working', async () => {
    const { dispatch, client } = await setup();
    expect(await dispatch('rm -rf', [])).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/unknown method "rm -rf"/) } });
    expect(await dispatch('subscribe', [])).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await dispatch('__proto__', [])).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await dispatch('fleet', 'x')).toMatchObject({ ok: false, error: { message: 'fleet: arguments must be an array' } });
    expect(await dispatch('set', ['fw1', 'x', 'advskew', 1])).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/^set: argument 2: /) } });
    expect(await dispatch('set', ['fw1', 42, 'advskew', 1, 'extra'])).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await dispatch('addHost', [{ name: 'fw9', address: 'a b' }])).toMatchObject({ ok: false, error: { message: expect.stringMatching(/address/) } });
    expect(await dispatch('trustHostKey', ['fw1', 'MD5:aa'])).toMatchObject({ ok: false, error: { message: expect.stringMatching(/SHA256/) } });
    expect(await dispatch('applyGroup', [{ vhid: 300 }])).toMatchObject({ ok: false, error: { message: expect.stringMatching(/vhid: must be 1\.\.255/) } });
    expect(await dispatch('deploy', [null, { op: 'bad id!' }])).toMatchObject({ ok: false, error: { message: expect.stringMatching(/op/) } });
    // Omitted arguments arrive as null over JSON: read as "not given".
    expect(await dispatch('maintenanceEnter', ['nosuch', null])).toMatchObject({ ok: false });
    // Errors of the core keep their code; a thrown error is never a stack trace.
    const e = await client.set('nosuch', 1, 'advskew', 1).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RemoteError);
    expect(e).toMatchObject({ code: 'unknown-host', message: expect.stringMatching(/nosuch is not in the inventory/) });
    expect((await client.fleet()).hosts).toHaveLength(2);
  });

  it('read-only refuses every change server-side but answers queries and dry runs', async () => {
    const { c, client } = await setup(true);
    expect((await client.info()).readOnly).toBe(true);
    await expect(client.demote('fw1', 'set', 3)).rejects.toMatchObject({ code: 'read-only' });
    await expect(client.maintenanceEnter('fw1')).rejects.toMatchObject({ code: 'read-only' });
    await expect(client.addHost({ name: 'x', address: '198.19.0.9' })).rejects.toMatchObject({ code: 'read-only' });
    await expect(client.trustHostKey('fw1', `SHA256:${'A'.repeat(43)}`)).rejects.toMatchObject({ code: 'read-only' });
    expect(c.fleetNow().hosts[0].demote).toBe(0);
    const spec = { vhid: 7, interface: 'eth0', addresses: ['198.18.0.70/24'], password: 'p', members: [{ host: 'fw1', advskew: 0 }] };
    expect((await client.applyGroup(spec, { dryRun: true })).dryRun).toBe(true);
    await expect(client.applyGroup(spec)).rejects.toMatchObject({ code: 'read-only' });
  });
});
