// arpbalance in the runtime, on a fake network port (the lab proves it on the wire: e2e/agent/balance):
// which groups are balanced, the virtual MAC links and addresses a master holds, adverts from the
// virtual MAC, no gratuitous ARP for the shared address, ARP answered by the hash, sysctls set and restored.
import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Runtime } from './runtime.js';
import { balancedSets, withBalanceFlips } from './balance.js';
import { diffConfigs } from './diff.js';
import { FakeNet } from '../testing/fake-net.js';
import { formatStatus } from '../cli/format.js';
import { parseAgentConfig, type AgentConfig } from '../config/schema.js';
import { carpKey, decodeArpRequest, encodeAdvert, encodeGratuitousArp, encodeIpPacket, macFromString } from '../protocol/index.js';

const VIP = '198.18.9.100/24';
const PASS = 'balance-test';
const g1 = { vhid: 1, interface: 'eth0', addresses: [VIP], password: PASS, advskew: 0, preempt: true };
const g2 = { vhid: 2, interface: 'eth0', addresses: [VIP], password: PASS, advskew: 100, preempt: true };
const g3 = { vhid: 3, interface: 'eth0', addresses: ['198.18.9.200/24'], password: PASS };
const balanced = (groups: object[], top: object = { arpbalance: true }): AgentConfig => parseAgentConfig({ ...top, groups });

/** "who has .100, tell <client>" from a client MAC. */
function request(client: string): Buffer {
  const f = encodeGratuitousArp({ senderMac: macFromString('02:00:00:00:00:07'), ip: client });
  Buffer.from([198, 18, 9, 100]).copy(f, 38);
  return f;
}

let counter = 0x100;
function peerAdvert(vhid: number, advskew: number): Buffer {
  const carp = encodeAdvert({ vhid, advbase: 1, advskew, demote: 0, counter: Buffer.from((counter++).toString(16).padStart(16, '0'), 'hex'), key: carpKey(PASS), addresses: [VIP] });
  return encodeIpPacket(carp, { src: '198.18.9.2', ttl: 255 });
}

describe('balanced sets (pure)', () => {
  it('groups sharing their addresses on one interface, two or more, with arpbalance on', () => {
    expect([...balancedSets(balanced([g2, g1, g3]))]).toEqual([['eth0/2', [1, 2]], ['eth0/1', [1, 2]]]);
    expect(balancedSets(balanced([g1, g3])).size).toBe(0);
    expect(balancedSets(balanced([g1], {})).size).toBe(0);
  });

  it('a group that becomes balanced, or stops being balanced, restarts; one whose set only grows does not', () => {
    const alone = balanced([g1]);
    const pair = balanced([g1, g2]);
    const trio = balanced([g1, g2, { ...g2, vhid: 4 }]);
    expect(withBalanceFlips(diffConfigs(alone, pair), alone, pair)).toMatchObject({ added: [{ vhid: 2 }], hard: [{ after: { vhid: 1 } }], soft: [] });
    expect(withBalanceFlips(diffConfigs(pair, alone), pair, alone)).toMatchObject({ removed: [{ vhid: 2 }], hard: [{ after: { vhid: 1 } }] });
    expect(withBalanceFlips(diffConfigs(pair, trio), pair, trio)).toMatchObject({ added: [{ vhid: 4 }], hard: [], soft: [] });
  });
});

describe('a balanced pair on one host', () => {
  let dir: string;
  let net: FakeNet;
  let rt: Runtime;
  beforeEach(() => {
    vi.useFakeTimers();
    dir = mkdtempSync(join(tmpdir(), 'ar-bal-'));
    net = new FakeNet({ balance: true });
    rt = new Runtime({ net, log: { info: () => {}, error: () => {} }, version: 't', configPath: join(dir, 'config.json'), statePath: join(dir, 'state.json'), persist: false });
  });
  afterEach(async () => {
    await rt.stop();
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds each vhid it masters on its virtual MAC, answers ARP by the hash, and lets go', async () => {
    net.balance!.leftovers = ['eth0-vm9'];
    net.balance!.links.set('eth0-vm9', { parent: 'eth0', mac: '00005e000109' });
    rt.start(balanced([g1, g2, g3]));
    // A link left by a killed agent is gone; the interface answers no ARP for the shared address itself.
    expect(net.balance!.links.has('eth0-vm9')).toBe(false);
    expect(net.balance!.sysctls.get('eth0/arp_ignore')).toBe('1');
    expect(net.balance!.sysctls.get('eth0/arp_announce')).toBe('2');
    await vi.advanceTimersByTimeAsync(3500);
    const snap = rt.snapshot();
    expect(snap.arpbalance).toBe(true);
    expect(snap.groups.map((g) => [g.vhid, g.state, g.balanced])).toEqual([[1, 'MASTER', [1, 2]], [2, 'MASTER', [1, 2]], [3, 'MASTER', undefined]]);
    const text = formatStatus(snap);
    expect(text).toMatch(/, arpbalance on$/m);
    expect(text).toMatch(/^eth0 vhid 1 MASTER advbase 1 advskew 0 demote 0 preempt balanced over vhids 1,2 {2}198\.18\.9\.100\/24$/m);
    expect(text).toMatch(/^eth0 vhid 3 MASTER advbase 1 advskew 0 demote 0 {2}198\.18\.9\.200\/24$/m);
    // Both virtual MACs, each with the shared address as /32; never on eth0. The unbalanced group's VIP is on eth0.
    expect([...net.balance!.links]).toEqual([['eth0-vm1', { parent: 'eth0', mac: '00005e000101' }], ['eth0-vm2', { parent: 'eth0', mac: '00005e000102' }]]);
    expect([...net.addrs].sort()).toEqual(['198.18.9.200/24', 'eth0-vm1 198.18.9.100/32', 'eth0-vm2 198.18.9.100/32']);
    expect(net.balance!.sysctls.get('eth0-vm1/rp_filter')).toBe('2');
    // Adverts of balanced vhids are frames from their virtual MACs; the unbalanced group's go on the socket.
    const adverts = net.sentFrames.filter((f) => f.frame.readUInt16BE(12) === 0x0800);
    expect(new Set(adverts.map((f) => f.frame.subarray(6, 12).toString('hex')))).toEqual(new Set(['00005e000101', '00005e000102']));
    expect(adverts.every((f) => f.frame.subarray(0, 6).toString('hex') === '01005e000012' && f.frame[14 + 9] === 112)).toBe(true);
    expect(new Set(net.sent.map((b) => b[1]))).toEqual(new Set([3]));
    // Gratuitous ARP only for the unbalanced VIP.
    const garps = net.sentFrames.filter((f) => f.frame.readUInt16BE(12) === 0x0806).map((f) => decodeArpRequest(f.frame)?.targetIp);
    expect(new Set(garps)).toEqual(new Set(['198.18.9.200']));

    // .16 hashes to vhid 1, .17 to vhid 2: each answered from its vhid's MAC, unicast to the client.
    net.sentFrames = [];
    expect(net.balance!.arrive('eth0', request('198.18.9.16'))).toBe(true);
    net.balance!.arrive('eth0', request('198.18.9.17'));
    expect(net.sentFrames.map((f) => [f.frame.subarray(0, 6).toString('hex'), f.frame.subarray(22, 28).toString('hex'), f.frame.readUInt16BE(20)])).toEqual([
      ['020000000007', '00005e000101', 2],
      ['020000000007', '00005e000102', 2],
    ]);

    // A better peer for vhid 2: this host is BACKUP there, lets its MAC go, and stops answering .17.
    net.deliver(peerAdvert(2, 0));
    expect(rt.snapshot().groups[1].state).toBe('BACKUP');
    expect([...net.balance!.links.keys()]).toEqual(['eth0-vm1']);
    net.sentFrames = [];
    net.balance!.arrive('eth0', request('198.18.9.17'));
    net.balance!.arrive('eth0', request('198.18.9.18'));
    expect(net.sentFrames.map((f) => f.frame.subarray(38, 42).join('.'))).toEqual(['198.18.9.18']);

    // A clean stop: no link left, the sysctls as they were.
    await rt.stop();
    expect(net.balance!.links.size).toBe(0);
    expect(net.balance!.sysctls.get('eth0/arp_ignore')).toBe('0');
    expect(net.balance!.sysctls.get('eth0/arp_announce')).toBe('0');
    expect(net.balance!.arrive('eth0', request('198.18.9.16'))).toBe(false);
  });

  it('a platform without the balance port refuses arpbalance on apply, and says why', async () => {
    const plain = new FakeNet();
    const r = new Runtime({ net: plain, log: { info: () => {}, error: () => {} }, version: 't', configPath: join(dir, 'c2.json'), statePath: join(dir, 's2.json'), persist: false });
    r.start(balanced([g3], {}));
    await expect(r.execute({ id: 1, cmd: 'apply', config: balanced([g1, g2]) })).rejects.toThrow(/arpbalance: not supported on this platform/);
    await r.stop();
  });
});
