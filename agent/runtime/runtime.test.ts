// Runtime with a fake network port (the real one needs root and raw sockets; the lab tests cover it):
// election by timeout, drop counting by reason, apply-by-diff keeps an unchanged/softly changed master,
// maintenance persisted, passwords never in status or events.
import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Runtime } from './runtime.js';
import { FakeNet } from '../testing/fake-net.js';
import { parseAgentConfig, type AgentConfig } from '../config/schema.js';
import { carpKey, encodeAdvert, encodeIpPacket } from '../protocol/index.js';
import type { AgentEvent } from '../control/messages.js';

const cfg = (groups: object[]): AgentConfig => parseAgentConfig({ groups });
const g42 = { vhid: 42, interface: 'eth0', addresses: ['198.18.9.100/24'], password: 'topsecret42', advskew: 10 };
const g43 = { vhid: 43, interface: 'eth0', addresses: ['198.18.9.101/24'], password: 'topsecret43', advskew: 10 };
const quiet = { info: () => {}, error: () => {} };

function advert(o: { vhid: number; advskew: number; counter: string; password: string; address: string; src?: string; ttl?: number }) {
  const carp = encodeAdvert({ vhid: o.vhid, advbase: 1, advskew: o.advskew, demote: 0, counter: Buffer.from(o.counter, 'hex'), key: carpKey(o.password), addresses: [o.address] });
  return encodeIpPacket(carp, { src: o.src ?? '198.18.9.2', ttl: o.ttl ?? 255 });
}

let dir: string;
let net: FakeNet;
let rt: Runtime;
let events: AgentEvent[];
beforeEach(() => {
  vi.useFakeTimers();
  dir = mkdtempSync(join(tmpdir(), 'ar-rt-'));
  net = new FakeNet();
  events = [];
  rt = new Runtime({ net, log: quiet, version: 't', configPath: join(dir, 'config.json'), statePath: join(dir, 'state.json'), persist: true, runHook: async () => ({ code: 0 }) });
  rt.subscribe((e) => events.push(e));
});
afterEach(async () => {
  await rt.stop();
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('runtime', () => {
  it('becomes MASTER after the master-down time, adds the VIP and advertises', async () => {
    rt.start(cfg([g42]));
    expect(rt.snapshot().groups[0].state).toBe('BACKUP');
    await vi.advanceTimersByTimeAsync(3100);
    const s = rt.snapshot().groups[0];
    expect(s.state).toBe('MASTER');
    expect(net.addrs.has('198.18.9.100/24')).toBe(true);
    expect(net.sent.length).toBeGreaterThan(0);
    expect(net.sent[0][1]).toBe(42);
    expect(net.frames).toBeGreaterThan(0);
    expect(events.some((e) => e.kind === 'state' && e.to === 'MASTER')).toBe(true);
  });

  it('counts drops by reason and accepts a valid advert once (replay dropped)', () => {
    rt.start(cfg([g42]));
    const good = advert({ vhid: 42, advskew: 0, counter: '0102030405060708', password: 'topsecret42', address: '198.18.9.100' });
    net.deliver(good);
    net.deliver(advert({ vhid: 42, advskew: 0, counter: '0102030405060709', password: 'wrong', address: '198.18.9.100' }));
    net.deliver(advert({ vhid: 42, advskew: 0, counter: '010203040506070a', password: 'topsecret42', address: '198.18.9.100', ttl: 254 }));
    const bad = Buffer.from(advert({ vhid: 42, advskew: 0, counter: '010203040506070b', password: 'topsecret42', address: '198.18.9.100' }));
    bad[20 + 7] ^= 1;
    net.deliver(bad);
    net.deliver(good.subarray(0, 40));
    net.deliver(advert({ vhid: 42, advskew: 0, counter: '0102030405060710', password: 'topsecret42', address: '198.18.9.100' }));
    net.deliver(good); // replayed after another counter was accepted from the same source
    net.deliver(advert({ vhid: 99, advskew: 0, counter: '0102030405060711', password: 'x', address: '198.18.9.100' }));
    net.deliver(advert({ vhid: 42, advskew: 0, counter: '0102030405060712', password: 'x', address: '198.18.9.100', src: '198.18.9.1' }));
    const s = rt.snapshot();
    expect(s.groups[0].received).toBe(2);
    expect(s.groups[0].drops).toMatchObject({ hmac: 1, ttl: 1, checksum: 1, replay: 1, own: 1 });
    expect(s.unmatchedDrops).toMatchObject({ short: 1, vhid: 1 });
    expect(s.groups[0].lastAdvert?.from).toBe('198.18.9.2');
    expect(s.groups[0].state).toBe('BACKUP');
  });

  it('drops its own advert replayed from another address (counter it sent) and stays MASTER', async () => {
    rt.start(cfg([g42]));
    await vi.advanceTimersByTimeAsync(3100);
    const last = net.sent.at(-1)!;
    const counter = last.subarray(8, 16).toString('hex');
    // An equal advert (advskew 0) would make the master yield (tie rule); this one carries our own counter.
    net.deliver(advert({ vhid: 42, advskew: 0, counter, password: 'topsecret42', address: '198.18.9.100', src: '198.18.9.77' }));
    let s = rt.snapshot().groups[0];
    expect(s.drops).toMatchObject({ own: 1 });
    expect(s.received).toBe(0);
    expect(s.state).toBe('MASTER');
    // The check is not vacuous: the same advert with a counter we never sent does move it.
    net.deliver(advert({ vhid: 42, advskew: 0, counter: 'ffeeddccbbaa9988', password: 'topsecret42', address: '198.18.9.100', src: '198.18.9.77' }));
    s = rt.snapshot().groups[0]!;
    expect(s.received).toBe(1);
    expect(s.state).toBe('BACKUP');
  });

  it('apply: a soft change keeps mastership, another group is untouched, a bad config is refused', async () => {
    rt.start(cfg([g42, g43]));
    await vi.advanceTimersByTimeAsync(3100);
    expect(rt.snapshot().groups.map((g) => g.state)).toEqual(['MASTER', 'MASTER']);
    const before = events.length;
    const r = await rt.execute({ id: 1, cmd: 'apply', config: cfg([{ ...g42, advskew: 20 }, g43]) });
    expect(r).toEqual({ revision: 2, dryRun: false, added: [], removed: [], changed: [42] });
    const snap = rt.snapshot();
    expect(snap.groups.map((g) => g.state)).toEqual(['MASTER', 'MASTER']);
    expect(snap.groups[0].advskew).toBe(20);
    expect(events.slice(before).some((e) => e.kind === 'state')).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).groups[0].advskew).toBe(20);
    await expect(rt.execute({ id: 2, cmd: 'apply', config: { groups: [{ ...g42, interface: 'nope0' }] } as never })).rejects.toMatchObject({ code: 'invalid' });
    expect(rt.snapshot().agent.configRevision).toBe(2);
    // dry run changes nothing
    const d = await rt.execute({ id: 3, cmd: 'deleteGroup', vhid: 43, dryRun: true });
    expect(d).toMatchObject({ dryRun: true, removed: [43], revision: 2 });
    expect(rt.snapshot().groups).toHaveLength(2);
    // rollback of revision 2 restores advskew 10
    await rt.execute({ id: 4, cmd: 'rollback', revision: 2 });
    expect(rt.snapshot().groups[0].advskew).toBe(10);
    await expect(rt.execute({ id: 5, cmd: 'rollback', revision: 2 })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('demote/maintenance are persisted and refused out of range; passwords never leak', async () => {
    rt.start(cfg([g42]));
    await expect(rt.execute({ id: 1, cmd: 'demote', op: 'add', value: -1 })).rejects.toMatchObject({ code: 'range' });
    await rt.execute({ id: 2, cmd: 'maintenance', on: true });
    await rt.execute({ id: 3, cmd: 'demote', op: 'set', value: 5 });
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).toEqual({ demote: 5, maintenance: true });
    const s = rt.snapshot();
    expect(s.maintenance).toBe(true);
    expect(s.groups[0].wireAdvskew).toBeGreaterThanOrEqual(240);
    await expect(rt.execute({ id: 4, cmd: 'set', vhid: 7, key: 'advskew', value: 1 })).rejects.toMatchObject({ code: 'unknown-vhid' });
    expect(JSON.stringify(s) + JSON.stringify(events)).not.toContain('topsecret42');
  });

  it('never announces the VIP with an unknown MAC: no ARP frame, an error event instead', async () => {
    net.mac = null;
    rt.start(cfg([g42]));
    await vi.advanceTimersByTimeAsync(3100);
    expect(rt.snapshot().groups[0].state).toBe('MASTER');
    expect(net.frames).toBe(0);
    expect(events.some((e) => e.kind === 'error' && /gratuitous ARP not sent: the MAC address of eth0 is unknown/.test(e.message))).toBe(true);
  });

  it('refuses a VIP that is the interface\'s own address, naming the field; its own VIPs are fine', async () => {
    rt.start(cfg([g42]));
    await vi.advanceTimersByTimeAsync(3100); // MASTER: 198.18.9.100 is on the interface, and it is ours
    await expect(rt.execute({ id: 1, cmd: 'putGroup', group: { ...g43, addresses: ['198.18.9.1/24'] } as never })).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/groups\[1\]\.addresses\[0\]: 198\.18\.9\.1 is already an address of eth0 that this agent does not manage/),
    });
    expect(await rt.execute({ id: 2, cmd: 'putGroup', group: { ...g42, advskew: 30 } as never })).toMatchObject({ changed: [42] });
    expect(net.addrs.has('198.18.9.1/24')).toBe(false);
  });

  it('rolls back the last few revisions, newest first, and refuses one whose later changes are still in force', async () => {
    rt.start(cfg([g42]));
    for (let i = 1; i <= 20; i++) await rt.execute({ id: i, cmd: 'set', vhid: 42, key: 'advskew', value: i });
    expect(rt.snapshot().agent.configRevision).toBe(21);
    await expect(rt.execute({ id: 30, cmd: 'rollback', revision: 17 })).rejects.toMatchObject({ code: 'unknown-revision', message: expect.stringMatching(/keeps the last 4/) });
    await expect(rt.execute({ id: 31, cmd: 'rollback', revision: 99 })).rejects.toMatchObject({ code: 'unknown-revision' });
    await expect(rt.execute({ id: 32, cmd: 'rollback', revision: 20 })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/roll back revision 21 first/) });
    await rt.execute({ id: 33, cmd: 'rollback', revision: 21 });
    expect(rt.snapshot().groups[0].advskew).toBe(19);
    // Revision 21 undone: what 20 did runs again, so 20 can be undone too (two changes of one apply).
    await rt.execute({ id: 34, cmd: 'rollback', revision: 20 });
    expect(rt.snapshot().groups[0].advskew).toBe(18);
    // The runtime holds a few configs, not a history of them (no password history).
    const held = JSON.stringify(rt, (_k, v) => (v instanceof Map || v instanceof Set ? [...v] : v));
    expect(held.match(/"advskew":\d+/g)!.length).toBeLessThanOrEqual(16);
  });

  it('link down closes the socket and sends the group to INIT; link up reopens it; a new address or index reopens it', async () => {
    rt.start(cfg([g42]));
    await vi.advanceTimersByTimeAsync(3100);
    expect(rt.snapshot().groups[0].state).toBe('MASTER');
    net.carrier = false;
    await vi.advanceTimersByTimeAsync(250);
    expect(rt.snapshot().groups[0].state).toBe('INIT');
    expect(net.closed).toBe(1);
    expect(net.addrs.has('198.18.9.100/24')).toBe(false);
    net.ifindex = 8; // deleted and re-created while down
    net.carrier = true;
    await vi.advanceTimersByTimeAsync(250);
    expect(net.sockets).toHaveLength(2);
    expect(rt.snapshot().groups[0].state).toBe('BACKUP');
    await vi.advanceTimersByTimeAsync(3100);
    expect(rt.snapshot().groups[0].state).toBe('MASTER');
    // the address changes while up: new socket from the new source, own-packet filter follows it
    net.address = '198.18.9.5';
    net.addrs.clear(); // the kernel drops the secondary VIP together with the old primary address
    const framesBefore = net.frames;
    await vi.advanceTimersByTimeAsync(250);
    expect(net.addrs.has('198.18.9.100/24')).toBe(true); // the MASTER put it back
    expect(net.frames).toBeGreaterThan(framesBefore); // and announced it
    expect(net.sockets).toHaveLength(3);
    expect(net.sockets[2].srcip).toBe('198.18.9.5');
    expect(rt.snapshot().groups[0].state).toBe('MASTER');
    expect(rt.snapshot().groups[0].srcip).toBe('198.18.9.5');
    const sentBefore = net.sent.length;
    await vi.advanceTimersByTimeAsync(1100);
    expect(net.sent.length).toBeGreaterThan(sentBefore);
    net.deliver(advert({ vhid: 42, advskew: 0, counter: '0102030405060799', password: 'topsecret42', address: '198.18.9.100', src: '198.18.9.5' }));
    expect(rt.snapshot().groups[0].drops).toMatchObject({ own: 1 });
  });

  it('releaseAddressesSync (the crash handler) bows out for every group it masters, then removes every configured VIP', async () => {
    rt.start(cfg([g42, g43]));
    await vi.advanceTimersByTimeAsync(3100);
    expect(net.addrs.size).toBe(2);
    const before = net.sent.length;
    rt.releaseAddressesSync();
    expect(net.addrs.size).toBe(0);
    const bows = net.sent.slice(before);
    expect(bows.map((b) => [b[1], b[2], b[5], b[4]])).toEqual([[42, 255, 255, 0], [43, 255, 255, 0]]); // vhid, advskew, advbase, demote
  });

  it('a (re)starting agent removes its VIPs left on the interface before any election, even without carrier, and starts as BACKUP', async () => {
    // A kill -9 of the master left both VIPs behind; the interface has no carrier yet.
    net.addrs.add('198.18.9.100/24');
    net.addrs.add('198.18.9.101/24');
    net.carrier = false;
    const lines: string[] = [];
    const r2 = new Runtime({ net, log: { info: (m) => lines.push(m), error: () => {} }, version: 't', configPath: join(dir, 'c2.json'), statePath: null, persist: false, runHook: async () => ({ code: 0 }) });
    r2.start(cfg([g42, g43]));
    expect(net.addrs.size).toBe(0);
    expect(lines.filter((l) => /^removed .* left behind by an agent that did not stop cleanly/.test(l))).toHaveLength(2);
    expect(r2.snapshot().groups.map((g) => g.state)).toEqual(['INIT', 'INIT']);
    net.carrier = true;
    await vi.advanceTimersByTimeAsync(250);
    expect(r2.snapshot().groups.map((g) => g.state)).toEqual(['BACKUP', 'BACKUP']);
    expect(net.addrs.size).toBe(0); // a BACKUP holds none until it wins the master-down timer
    await r2.stop();
  });

  it('reports the restarts its supervisor made in the snapshot (absent when not supervised)', async () => {
    expect(rt.snapshot().agent.restarts).toBeUndefined();
    const restarts = { count: 2, recent: 2, lastAt: 1234, lastReason: 'killed by SIGKILL' };
    const r2 = new Runtime({ net, log: quiet, version: 't', configPath: join(dir, 'c2.json'), statePath: null, persist: false, restarts });
    expect(r2.snapshot().agent.restarts).toEqual(restarts);
  });
});
