// OpenBSD's carp sysctls in the runtime, with a fake network port: allow (hand over, then stop; on again;
// --persist in state.json), log (the level from the config and `log`, the transition line, debug lines),
// and preempt as a host-wide default overridden per group.
import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Runtime } from './runtime.js';
import { FakeNet } from '../testing/fake-net.js';
import { parseAgentConfig, type AgentConfig } from '../config/schema.js';
import { loadState } from '../config/state-store.js';
import { carpKey, encodeAdvert, encodeIpPacket } from '../protocol/index.js';
import { createLogger, type Logger } from './log.js';
import type { AllowStatus } from '../control/messages.js';
import { hostSettingsChanged, preemptFollowers } from './host-settings.js';
import { handoverDeadlineMs } from './allow.js';

const VIP = '198.18.9.100/24';
const PASS = 'sysctl-test';
const g42 = { vhid: 42, interface: 'eth0', addresses: [VIP], password: PASS, advskew: 10 };
const cfg = (top: object, groups: object[] = [g42]): AgentConfig => parseAgentConfig({ ...top, groups });
let counter = 0x100;
/** A peer's advert for vhid 42 (a fresh counter each time). */
function peer(advskew: number, demote = 0): Buffer {
  const carp = encodeAdvert({ vhid: 42, advbase: 1, advskew, demote, counter: Buffer.from((counter++).toString(16).padStart(16, '0'), 'hex'), key: carpKey(PASS), addresses: [VIP] });
  return encodeIpPacket(carp, { src: '198.18.9.2', ttl: 255 });
}
/** CARP header bytes of a sent advert: advskew at 2, demote at 4, advbase at 5. */
const wire = (b: Buffer) => ({ advskew: b[2], demote: b[4], advbase: b[5] });

let dir: string;
let net: FakeNet;
let lines: string[];
let log: Required<Logger>;
let rt: Runtime;
const make = (initialState?: { demote: number; maintenance: boolean; allow?: boolean }) =>
  new Runtime({ net, log, version: 't', configPath: join(dir, 'config.json'), statePath: join(dir, 'state.json'), persist: true, runHook: async () => ({ code: 0 }), ...(initialState ? { initialState } : {}) });

beforeEach(() => {
  vi.useFakeTimers();
  dir = mkdtempSync(join(tmpdir(), 'ar-sysctl-'));
  net = new FakeNet();
  lines = [];
  log = createLogger((_sev, msg) => void lines.push(msg));
  rt = make();
});
afterEach(async () => {
  await rt.stop();
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

async function master(): Promise<void> {
  rt.start(cfg({}));
  await vi.advanceTimersByTimeAsync(3100);
  expect(rt.snapshot().groups[0].state).toBe('MASTER');
}

describe('allow', () => {
  it('off on a MASTER: bows out as maintenance, keeps the VIP until the successor is heard, then stops (no adverts, adverts ignored, no VIP); on: runs again', async () => {
    await master();
    const before = net.sent.length;
    const off = rt.execute({ id: 1, cmd: 'allow', on: false }) as Promise<AllowStatus>;
    await vi.advanceTimersByTimeAsync(50);
    // leaving: the bow-out goes out at once, the VIP stays (make-before-break)
    expect(net.sent.slice(before).map(wire)[0]).toEqual({ advskew: 255, demote: 255, advbase: 255 });
    expect(net.addrs.has(VIP)).toBe(true);
    expect(rt.snapshot().allow).toEqual({ allowed: false, leaving: true, persistedOff: false });
    net.deliver(peer(100)); // the successor took over
    await vi.advanceTimersByTimeAsync(50);
    expect(await off).toEqual({ allowed: false, leaving: false, persistedOff: false });
    expect(net.addrs.has(VIP)).toBe(false);
    const s = rt.snapshot();
    // still the same member for the console: its segment and source, its counters
    expect(s.groups[0]).toMatchObject({ state: 'INIT', segment: '198.18.9.0/24', srcip: '198.18.9.1' });
    expect(s.groups[0].sent).toBeGreaterThan(0);
    const sent = net.sent.length;
    const received = s.groups[0].received;
    for (let i = 0; i < 5; i++) {
      net.deliver(peer(200, 50)); // a worse, demoted master: a running BACKUP would take over
      await vi.advanceTimersByTimeAsync(2000);
    }
    expect(net.sent.length).toBe(sent);
    expect(net.addrs.has(VIP)).toBe(false);
    expect(rt.snapshot().groups[0]).toMatchObject({ state: 'INIT', received });
    expect(existsSync(join(dir, 'state.json'))).toBe(false); // not persisted
    expect(lines.join('\n')).toMatch(/allow off \(until the agent restarts\): handing over/);

    expect(await rt.execute({ id: 2, cmd: 'allow', on: true })).toEqual({ allowed: true, leaving: false, persistedOff: false });
    await vi.advanceTimersByTimeAsync(100);
    expect(rt.snapshot().groups[0].state).toBe('BACKUP');
    await vi.advanceTimersByTimeAsync(3100); // nobody else: master down, MASTER again
    expect(rt.snapshot().groups[0].state).toBe('MASTER');
    expect(net.addrs.has(VIP)).toBe(true);
  });

  it('off with no successor: stops after the hand-over time anyway (3 x advbase + 2 s), with the leaving bow-out', async () => {
    await master();
    const off = rt.execute({ id: 1, cmd: 'allow', on: false }) as Promise<AllowStatus>;
    await vi.advanceTimersByTimeAsync(4000);
    expect(net.addrs.has(VIP)).toBe(true); // still waiting for a successor
    await vi.advanceTimersByTimeAsync(1200);
    expect((await off).allowed).toBe(false);
    expect(net.addrs.has(VIP)).toBe(false);
    // the last advert: the clean-stop bow-out (demote below 255: "I am leaving")
    expect(wire(net.sent.at(-1)!)).toEqual({ advskew: 255, demote: 0, advbase: 255 });
    expect(lines.join('\n')).toMatch(/no successor was heard for 1 group\(s\)/);
  });

  it('off --persist: state.json keeps it off, a new agent starts no group; on clears it', async () => {
    await master();
    const off = rt.execute({ id: 1, cmd: 'allow', on: false, persist: true }) as Promise<AllowStatus>;
    await vi.advanceTimersByTimeAsync(5200);
    expect((await off).persistedOff).toBe(true);
    const st = loadState(join(dir, 'state.json'));
    expect(st.state).toMatchObject({ allow: false, maintenance: false, demote: 0 });
    await rt.stop();
    net.sent = [];
    rt = make(st.state);
    rt.start(cfg({}));
    await vi.advanceTimersByTimeAsync(5000);
    expect(rt.snapshot().allow).toEqual({ allowed: false, leaving: false, persistedOff: true });
    expect(rt.snapshot().groups[0].state).toBe('INIT');
    expect(net.sent).toEqual([]);
    // a demotion change keeps the persisted off
    await rt.execute({ id: 2, cmd: 'demote', op: 'set', value: 3 });
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).toMatchObject({ allow: false, demote: 3 });
    await rt.execute({ id: 3, cmd: 'allow', on: true });
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).not.toHaveProperty('allow');
    await vi.advanceTimersByTimeAsync(3200);
    expect(rt.snapshot().groups[0].state).toBe('MASTER');
  });

  it('on during the hand-over abandons it: the group stays MASTER with normal adverts', async () => {
    await master();
    const off = rt.execute({ id: 1, cmd: 'allow', on: false }) as Promise<AllowStatus>;
    await vi.advanceTimersByTimeAsync(100);
    await rt.execute({ id: 2, cmd: 'allow', on: true });
    await vi.advanceTimersByTimeAsync(50);
    expect((await off).allowed).toBe(true);
    const n = net.sent.length;
    await vi.advanceTimersByTimeAsync(1100);
    expect(rt.snapshot().groups[0].state).toBe('MASTER');
    expect(net.sent.slice(n).map(wire).at(-1)).toEqual({ advskew: 10, demote: 0, advbase: 1 });
  });
});

describe('log', () => {
  it('logs the transition in OpenBSD wording at LOG_CRIT (default level 2), and debug advert lines only at level 7', async () => {
    rt.start(cfg({}));
    await vi.advanceTimersByTimeAsync(3100);
    expect(lines).toContain('carp: vhid 42 (eth0): state transition: BACKUP -> MASTER');
    expect(lines.some((l) => l.startsWith('carp: vhid 42 (eth0): reason: master down timer expired'))).toBe(true);
    // INIT -> BACKUP is LOG_WARNING: not at level 2
    expect(lines.some((l) => l.includes('INIT -> BACKUP'))).toBe(false);
    net.deliver(peer(200));
    expect(lines.some((l) => l.includes('advert from 198.18.9.2'))).toBe(false);
    expect(await rt.execute({ id: 1, cmd: 'log', level: 7 })).toEqual({ log: 7 });
    expect(rt.snapshot().log).toBe(7);
    net.deliver(peer(200));
    expect(lines).toContain('carp: vhid 42 (eth0): advert from 198.18.9.2: advbase 1 advskew 200 demote 0');
  });

  it('takes the level from the config at start and on apply; a drop line follows its OpenBSD severity, its counter does not', async () => {
    rt.start(cfg({ log: 0 }));
    await vi.advanceTimersByTimeAsync(3100);
    expect(lines.some((l) => l.includes('state transition'))).toBe(false);
    expect(rt.snapshot().log).toBe(0);
    const bad = encodeIpPacket(encodeAdvert({ vhid: 42, advbase: 1, advskew: 0, demote: 0, counter: Buffer.alloc(8, 9), key: carpKey('wrong'), addresses: [VIP] }), { src: '198.18.9.2', ttl: 255 });
    net.deliver(bad);
    expect(rt.snapshot().groups[0].drops.hmac).toBe(1);
    expect(lines.some((l) => l.includes('HMAC'))).toBe(false);
    const r = await rt.execute({ id: 1, cmd: 'apply', config: cfg({ log: 6 }) });
    expect(r).toMatchObject({ changed: [] });
    expect(rt.snapshot().log).toBe(6);
    net.deliver(encodeIpPacket(encodeAdvert({ vhid: 42, advbase: 1, advskew: 0, demote: 0, counter: Buffer.alloc(8, 8), key: carpKey('wrong'), addresses: [VIP] }), { src: '198.18.9.2', ttl: 255 }));
    expect(rt.snapshot().groups[0].drops.hmac).toBe(2);
    expect(lines.some((l) => l.startsWith('carp: vhid 42 eth0: advert from 198.18.9.2 dropped: wrong password'))).toBe(true);
  });
});

describe('preempt as a host-wide default', () => {
  it('a group without its own preempt follows the top level; its own value wins; an apply of the top level reaches it', async () => {
    const own = { ...g42, vhid: 43, addresses: ['198.18.9.101/24'], preempt: false };
    rt.start(cfg({ preempt: true }, [g42, own]));
    const pre = () => Object.fromEntries(rt.snapshot().groups.map((g) => [g.vhid, g.preempt]));
    expect(pre()).toEqual({ 42: true, 43: false });
    // behaviour: as BACKUP, a worse master (advskew 200) is preempted after own skew (10/256 s)
    net.deliver(peer(200));
    await vi.advanceTimersByTimeAsync(100);
    expect(rt.snapshot().groups.find((g) => g.vhid === 42)!.state).toBe('MASTER');
    const r = await rt.execute({ id: 1, cmd: 'apply', config: cfg({}, [g42, own]) });
    expect(r).toMatchObject({ changed: [42] });
    expect(pre()).toEqual({ 42: false, 43: false });
  });

  it('the schema accepts preempt and log at the top level and names a bad one', () => {
    expect(cfg({ preempt: true, log: 7 })).toMatchObject({ preempt: true, log: 7 });
    expect(cfg({}).groups[0].preempt).toBeUndefined();
    expect(() => cfg({ log: 8 })).toThrow(/log: must be a syslog level 0\.\.7/);
    expect(() => cfg({ preempt: 'yes' })).toThrow(/preempt/);
  });
});

describe('pure helpers', () => {
  it('names the host-wide settings an apply changes, and the groups a preempt change reaches', () => {
    const own = { ...g42, vhid: 43, addresses: ['198.18.9.101/24'], preempt: true };
    expect(hostSettingsChanged(cfg({}), cfg({}))).toEqual([]);
    expect(hostSettingsChanged(cfg({ log: 2 }), cfg({ log: 7, preempt: false }))).toEqual(['log', 'preempt']);
    expect(preemptFollowers(cfg({}, [g42, own]), cfg({ preempt: true }, [g42, own]))).toEqual([42]);
    expect(preemptFollowers(cfg({ preempt: false }, [g42]), cfg({}, [g42]))).toEqual([]); // false either way
  });

  it('gives a master 3 advert intervals of its slowest group plus 2 s to hear its successor', () => {
    expect(handoverDeadlineMs([1])).toBe(5000);
    expect(handoverDeadlineMs([1, 3])).toBe(11_000);
    expect(handoverDeadlineMs([])).toBe(2000);
  });
});
