// The link watch's pure parts: RTM_NEWLINK/RTM_DELLINK parsing (several messages per datagram, aligned
// attributes, truncation), the dump request, and the link table (rename, delete, usability = UP + RUNNING).
import { describe, it, expect } from 'vitest';
import { parseLinkMessages, dumpRequest, LinkTableBuilder, linkUsable, tableKey, IFF_UP, IFF_RUNNING } from './link-watch.js';

/** One rtnetlink link message as the kernel builds it: nlmsghdr + ifinfomsg + IFLA_MTU + IFLA_IFNAME. */
function linkMsg(type: 16 | 17, index: number, flags: number, name?: string): Buffer {
  const attrs: Buffer[] = [];
  const mtu = Buffer.alloc(8);
  mtu.writeUInt16LE(8, 0);
  mtu.writeUInt16LE(4, 2); // IFLA_MTU
  mtu.writeUInt32LE(1500, 4);
  attrs.push(mtu);
  if (name !== undefined) {
    const len = 4 + name.length + 1;
    const a = Buffer.alloc((len + 3) & ~3);
    a.writeUInt16LE(len, 0);
    a.writeUInt16LE(3, 2); // IFLA_IFNAME
    a.write(name, 4);
    attrs.push(a);
  }
  const body = Buffer.concat(attrs);
  const b = Buffer.alloc(32 + body.length);
  b.writeUInt32LE(b.length, 0);
  b.writeUInt16LE(type, 4);
  b.writeInt32LE(index, 20);
  b.writeUInt32LE(flags, 24);
  body.copy(b, 32);
  return b;
}

function done(): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt32LE(20, 0);
  b.writeUInt16LE(3, 4); // NLMSG_DONE
  return b;
}

const UP_RUNNING = IFF_UP | IFF_RUNNING | 0x1000 /* IFF_MULTICAST */;

describe('link watch messages', () => {
  it('parses several link messages in one datagram, names with odd lengths included', () => {
    const r = parseLinkMessages(Buffer.concat([linkMsg(16, 2, UP_RUNNING, 'eth0'), linkMsg(16, 3, IFF_UP, 'eth1'), linkMsg(17, 9, 0, 'veth12345'), done()]));
    expect(r.done).toBe(true);
    expect(r.error).toBe(0);
    expect(r.links).toEqual([
      { kind: 'new', index: 2, name: 'eth0', flags: UP_RUNNING },
      { kind: 'new', index: 3, name: 'eth1', flags: IFF_UP },
      { kind: 'del', index: 9, name: 'veth12345', flags: 0 },
    ]);
  });

  it('ignores AF_BRIDGE messages about bridge ports (a port leaving its bridge is not a deleted interface)', () => {
    const port = linkMsg(17, 4, UP_RUNNING, 'eth1');
    port[16] = 7; // AF_BRIDGE
    expect(parseLinkMessages(Buffer.concat([port, linkMsg(16, 4, UP_RUNNING, 'eth1')])).links).toEqual([{ kind: 'new', index: 4, name: 'eth1', flags: UP_RUNNING }]);
  });

  it('stops at a truncated message and reports a netlink error', () => {
    const whole = linkMsg(16, 2, UP_RUNNING, 'eth0');
    const cut = parseLinkMessages(Buffer.concat([whole, linkMsg(16, 3, UP_RUNNING, 'eth1').subarray(0, 30)]));
    expect(cut.links.map((l) => l.name)).toEqual(['eth0']);
    const err = Buffer.alloc(36);
    err.writeUInt32LE(36, 0);
    err.writeUInt16LE(2, 4); // NLMSG_ERROR
    err.writeInt32LE(-105, 16); // -ENOBUFS
    expect(parseLinkMessages(err).error).toBe(105);
  });

  it('asks for a dump of every link', () => {
    const d = dumpRequest(7);
    expect(d.length).toBe(32);
    expect(d.readUInt32LE(0)).toBe(32);
    expect(d.readUInt16LE(4)).toBe(18); // RTM_GETLINK
    expect(d.readUInt16LE(6)).toBe(0x301); // NLM_F_REQUEST | NLM_F_DUMP
    expect(d.readUInt32LE(8)).toBe(7);
  });

  it('counts a link usable only when up and running (carrier), as OpenBSD does', () => {
    expect(linkUsable(UP_RUNNING)).toBe(true);
    expect(linkUsable(IFF_UP)).toBe(false); // NO-CARRIER
    expect(linkUsable(IFF_RUNNING)).toBe(false); // administratively down
  });
});

describe('link table', () => {
  it('follows changes by index: carrier lost, rename, delete; repeats change nothing', () => {
    const t = new LinkTableBuilder();
    expect(t.apply(parseLinkMessages(Buffer.concat([linkMsg(16, 2, UP_RUNNING, 'eth0'), linkMsg(16, 3, UP_RUNNING, 'eth1')])).links)).toBe(true);
    expect(tableKey(t.table())).toBe('eth0=1 eth1=1');
    expect(t.apply([{ kind: 'new', index: 3, name: 'eth1', flags: IFF_UP }])).toBe(true);
    expect(t.table().get('eth1')).toBe(false);
    expect(t.apply([{ kind: 'new', index: 3, name: 'eth1', flags: IFF_UP }])).toBe(false); // reported again
    expect(t.apply([{ kind: 'new', index: 3, name: '', flags: UP_RUNNING }])).toBe(true); // no name: keeps the old one
    expect(t.table().get('eth1')).toBe(true);
    t.apply([{ kind: 'new', index: 3, name: 'wan0', flags: UP_RUNNING }]);
    expect(tableKey(t.table())).toBe('eth0=1 wan0=1');
    expect(t.apply([{ kind: 'del', index: 2, name: 'eth0', flags: 0 }])).toBe(true);
    expect(t.table().has('eth0')).toBe(false);
    expect(t.apply([{ kind: 'del', index: 2, name: 'eth0', flags: 0 }])).toBe(false);
  });
});
