// Link demotion decisions: which interfaces count, the adjustment, idempotence (a flap never adds up),
// the operator's counter kept apart; and the runtime wired to a fake link watch: a MASTER advertises the
// new demotion at once, `demote` and maintenance do not clobber it, a config change re-counts.
import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { carriedInterfaces, downInterfaces, nextLinkDemotion, effectiveDemote, describeLinkStep, NO_LINK_DEMOTION, type LinkDemotion } from './link-demotion.js';
import { Runtime } from './runtime.js';
import type { NetPort, CarpSocketOptions } from '../net/index.js';
import { parseAgentConfig } from '../config/schema.js';
import { parseHeader } from '../protocol/index.js';
import type { AgentEvent } from '../control/messages.js';
import { formatStatus } from '../cli/format.js';

const links = (o: Record<string, boolean>) => new Map(Object.entries(o));
const groups = [{ interface: 'eth0' }, { interface: 'eth1' }, { interface: 'eth0' }];

describe('link demotion (pure)', () => {
  it('counts only interfaces that carry a group, each once; a missing interface counts as down', () => {
    expect(carriedInterfaces(groups)).toEqual(['eth0', 'eth1']);
    expect(downInterfaces(['eth0', 'eth1'], links({ eth0: true, eth1: false, mgmt0: false }))).toEqual(['eth1']);
    expect(downInterfaces(['eth0', 'eth1'], links({ eth0: true }))).toEqual(['eth1']);
    expect(downInterfaces(['eth0', 'eth1'], links({ eth0: true, eth1: true, mgmt0: false }))).toEqual([]);
  });

  it('raises by 1 per carried interface that lost its link and lowers when it returns', () => {
    const carried = carriedInterfaces(groups);
    const down = nextLinkDemotion(NO_LINK_DEMOTION, carried, links({ eth0: true, eth1: false }));
    expect(down).toEqual({ next: { demote: 1, down: ['eth1'] }, adj: 1, raised: ['eth1'], lowered: [] });
    const both = nextLinkDemotion(down.next, carried, links({ eth0: false, eth1: false }));
    expect(both).toMatchObject({ next: { demote: 2, down: ['eth0', 'eth1'] }, adj: 1, raised: ['eth0'] });
    const back = nextLinkDemotion(both.next, carried, links({ eth0: true, eth1: true }));
    expect(back).toEqual({ next: { demote: 0, down: [] }, adj: -2, raised: [], lowered: ['eth0', 'eth1'] });
    expect(describeLinkStep(down)).toBe('link demotion +1 to 1 (eth1 lost its link): down eth1');
    expect(describeLinkStep(back)).toBe('link demotion -2 to 0 (eth0 link back, eth1 link back)');
  });

  it('is idempotent: the same down link reported again and again adds nothing, a flap returns to 0', () => {
    const carried = ['eth0', 'eth1'];
    let d: LinkDemotion = NO_LINK_DEMOTION;
    for (let flap = 0; flap < 10; flap++) {
      const dn = nextLinkDemotion(d, carried, links({ eth0: true, eth1: false }));
      expect(dn.next.demote).toBe(1); // each flap: down once more, never more than 1 in all
      expect(dn.adj).toBe(1);
      const again = nextLinkDemotion(dn.next, carried, links({ eth0: true, eth1: false }));
      expect(again.adj).toBe(0);
      const up = nextLinkDemotion(again.next, carried, links({ eth0: true, eth1: true }));
      expect(up.next).toEqual(NO_LINK_DEMOTION);
      d = up.next;
    }
    expect(d.demote).toBe(0);
  });

  it('lowers when the down interface stops carrying a group (config change)', () => {
    const d = nextLinkDemotion(NO_LINK_DEMOTION, ['eth0', 'eth1'], links({ eth0: true, eth1: false })).next;
    const s = nextLinkDemotion(d, ['eth0'], links({ eth0: true, eth1: false }));
    expect(s).toMatchObject({ next: { demote: 0, down: [] }, adj: -1, lowered: ['eth1'] });
  });

  it('adds the link demotion to the operator counter on the wire, at most 255', () => {
    expect(effectiveDemote(0, { demote: 1, down: ['eth1'] })).toBe(1);
    expect(effectiveDemote(5, { demote: 2, down: ['a', 'b'] })).toBe(7);
    expect(effectiveDemote(255, { demote: 1, down: ['eth1'] })).toBe(255);
    expect(effectiveDemote(3, NO_LINK_DEMOTION)).toBe(3);
  });
});

/** A network port with two interfaces and a link watch the test drives. */
class FakeNet implements NetPort {
  sockets: Array<CarpSocketOptions & { sent: Buffer[] }> = [];
  table = new Map<string, boolean>([['eth0', true], ['eth1', true], ['mgmt0', true]]);
  private listener: ((l: ReadonlyMap<string, boolean>) => void) | null = null;
  watching = 0;
  interfaceInfo(name: string) {
    const k = name === 'eth0' ? 1 : name === 'eth1' ? 2 : 0;
    return k ? { name, address: `198.18.${k}.1`, segment: `198.18.${k}.0/24`, mac: Buffer.alloc(6, k), ifindex: k } : null;
  }
  interfaceAddresses() { return []; }
  openCarp(o: CarpSocketOptions) {
    const s = { ...o, sent: [] as Buffer[] };
    this.sockets.push(s);
    return { send: (b: Buffer) => void s.sent.push(b), close: () => {} };
  }
  addAddress() {}
  removeAddress() {}
  sendFrame() {}
  carrierUp(name: string) { return this.table.get(name) === true; }
  watchLinks(onChange: (l: ReadonlyMap<string, boolean>) => void) {
    this.listener = onChange;
    this.watching++;
    return { links: () => new Map(this.table), close: () => { this.listener = null; this.watching--; } };
  }
  set(name: string, up: boolean) {
    this.table.set(name, up);
    this.listener?.(new Map(this.table));
  }
  lastSent(iface: string) {
    const s = this.sockets.filter((x) => x.interface === iface).at(-1)!;
    return parseHeader(s.sent.at(-1)!);
  }
}

const cfg = parseAgentConfig({
  groups: [
    { vhid: 1, interface: 'eth0', addresses: ['198.18.1.100/24'], password: 'lan-pass', advskew: 0, preempt: true },
    { vhid: 2, interface: 'eth1', addresses: ['198.18.2.100/24'], password: 'wan-pass', advskew: 0, preempt: true },
  ],
});

describe('link demotion in the runtime', () => {
  let dir: string;
  let net: FakeNet;
  let rt: Runtime;
  let events: AgentEvent[];
  beforeEach(() => {
    vi.useFakeTimers();
    dir = mkdtempSync(join(tmpdir(), 'ar-ld-'));
    net = new FakeNet();
    events = [];
    rt = new Runtime({ net, log: { info: () => {}, error: () => {} }, version: 't', configPath: join(dir, 'config.json'), statePath: join(dir, 'state.json'), persist: true, runHook: async () => ({ code: 0 }) });
    rt.subscribe((e) => events.push(e));
  });
  afterEach(async () => {
    await rt.stop();
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises the demotion while eth1 is down: the LAN MASTER advertises demote 1 at once; back to 0 on heal', async () => {
    rt.start(cfg);
    await vi.advanceTimersByTimeAsync(3200);
    expect(rt.snapshot().groups.map((g) => g.state)).toEqual(['MASTER', 'MASTER']);
    const lanSent = () => net.sockets.find((s) => s.interface === 'eth0')!.sent.length;
    const before = lanSent();

    net.set('eth1', false);
    // no timer advanced: the advert with the new demotion went out on the event itself
    expect(lanSent()).toBe(before + 1);
    expect(net.lastSent('eth0')).toMatchObject({ vhid: 1, demote: 1 });
    const s = rt.snapshot();
    expect(s.demote).toBe(0);
    expect(s.linkDemotion).toEqual({ demote: 1, down: ['eth1'] });
    expect(s.groups.find((g) => g.vhid === 1)!.demote).toBe(1);
    expect(s.groups.find((g) => g.vhid === 2)!.state).toBe('INIT'); // the event drove the link check too
    expect(events.filter((e) => e.kind === 'demotion').at(-1)).toMatchObject({ demote: 0, linkDemotion: { demote: 1, down: ['eth1'] } });

    // A flapping report (down again, an unrelated link) adds nothing.
    net.set('eth1', false);
    net.set('mgmt0', false);
    expect(rt.snapshot().linkDemotion).toEqual({ demote: 1, down: ['eth1'] });
    expect(events.filter((e) => e.kind === 'demotion')).toHaveLength(1);

    net.set('eth1', true);
    expect(rt.snapshot().linkDemotion).toEqual({ demote: 0, down: [] });
    expect(formatStatus(rt.snapshot())).not.toMatch(/link demotion/);
    expect(net.lastSent('eth0')).toMatchObject({ vhid: 1, demote: 0 });
  });

  it('keeps the link demotion apart from the operator: demote and maintenance do not clobber it', async () => {
    rt.start(cfg);
    await vi.advanceTimersByTimeAsync(3200);
    net.set('eth1', false);
    await rt.execute({ id: 1, cmd: 'demote', op: 'set', value: 5 });
    expect(rt.snapshot()).toMatchObject({ demote: 5, linkDemotion: { demote: 1 } });
    expect(net.lastSent('eth0').demote).toBe(6);
    const text = formatStatus(rt.snapshot()).split('\n');
    expect(text[1]).toMatch(/^demote 5, maintenance off/);
    expect(text[2]).toBe('link demotion 1 (down: eth1): groups advertise demote 6');
    await rt.execute({ id: 2, cmd: 'demote', op: 'set', value: 0 });
    expect(rt.snapshot()).toMatchObject({ demote: 0, linkDemotion: { demote: 1 } });
    expect(net.lastSent('eth0').demote).toBe(1);
    await rt.execute({ id: 3, cmd: 'maintenance', on: true });
    await rt.execute({ id: 4, cmd: 'maintenance', on: false });
    expect(rt.snapshot()).toMatchObject({ demote: 0, maintenance: false, linkDemotion: { demote: 1, down: ['eth1'] } });
    // the operator cannot take it away with a negative step either: the operator's counter stays >= 0
    await expect(rt.execute({ id: 5, cmd: 'demote', op: 'add', value: -1 })).rejects.toThrow(/0\.\.255/);
  });

  it('runs without link demotion, saying why, when the link watch cannot start', async () => {
    net.watchLinks = () => {
      throw new Error('socket(AF_NETLINK) for link changes failed: Permission denied (errno 13)');
    };
    rt.start(cfg);
    await vi.advanceTimersByTimeAsync(3200);
    expect(rt.snapshot().groups.map((g) => g.state)).toEqual(['MASTER', 'MASTER']);
    expect(rt.snapshot().linkDemotion).toEqual({ demote: 0, down: [] });
    expect(events.find((e) => e.kind === 'error')).toMatchObject({
      message: 'cannot watch link changes (socket(AF_NETLINK) for link changes failed: Permission denied (errno 13)): no link demotion on this host',
    });
  });

  it('re-counts on a config change: removing the group on the down interface lowers the demotion', async () => {
    rt.start(cfg);
    net.set('eth1', false);
    expect(rt.snapshot().linkDemotion?.demote).toBe(1);
    await rt.execute({ id: 1, cmd: 'apply', config: { groups: [cfg.groups[0]] } });
    expect(rt.snapshot().linkDemotion).toEqual({ demote: 0, down: [] });
    await rt.stop();
    expect(net.watching).toBe(0);
  });
});
