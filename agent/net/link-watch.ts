// Link changes from the kernel, event driven: an rtnetlink socket subscribed to RTMGRP_LINK (RTM_NEWLINK /
// RTM_DELLINK) plus one RTM_GETLINK dump at start; the message parsing is pure (exported for tests).
import { libc, check, eagain, setNonBlocking, AF_NETLINK, SOCK_RAW, SOCK_CLOEXEC, NETLINK_ROUTE, MSG_DONTWAIT } from './libc.js';

const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_GETLINK = 18;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLMSG_OVERRUN = 4;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const RTMGRP_LINK = 0x1;
const IFLA_IFNAME = 3;
export const IFF_UP = 0x1;
export const IFF_RUNNING = 0x40;
const ENOBUFS = 105;
const AF_UNSPEC = 0;

/** One link as a RTM_NEWLINK/RTM_DELLINK message describes it. */
export interface LinkMessage {
  kind: 'new' | 'del';
  index: number;
  /** Empty when the message carried no IFLA_IFNAME (the kernel always sends it; a test may not). */
  name: string;
  flags: number;
}

/** Usable for CARP: administratively up and running (carrier, operstate up), as OpenBSD's IFF_UP + link state. */
export function linkUsable(flags: number): boolean {
  return (flags & IFF_UP) !== 0 && (flags & IFF_RUNNING) !== 0;
}

/**
 * Parses the link messages in one netlink datagram (several nlmsghdr, 4-byte aligned). Other message
 * types are skipped; a truncated message ends the parse. `done` is true when the datagram ended a dump.
 */
export function parseLinkMessages(buf: Buffer): { links: LinkMessage[]; done: boolean; error: number } {
  const links: LinkMessage[] = [];
  let done = false;
  let error = 0;
  let off = 0;
  while (off + 16 <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < 16 || off + len > buf.length) break;
    const type = buf.readUInt16LE(off + 4);
    if (type === NLMSG_DONE) done = true;
    else if (type === NLMSG_ERROR && len >= 20) error = -buf.readInt32LE(off + 16);
    else if (type === NLMSG_OVERRUN) error = ENOBUFS;
    // Only the generic link messages (family AF_UNSPEC): a bridge sends AF_BRIDGE ones about its ports,
    // and its RTM_DELLINK for a port leaving the bridge must not read as the interface being deleted.
    else if ((type === RTM_NEWLINK || type === RTM_DELLINK) && len >= 32 && buf[off + 16] === AF_UNSPEC) {
      // struct ifinfomsg { u8 family; u8 pad; u16 type; i32 index; u32 flags; u32 change; }
      const index = buf.readInt32LE(off + 20);
      const flags = buf.readUInt32LE(off + 24);
      let name = '';
      let a = off + 32;
      while (a + 4 <= off + len) {
        const alen = buf.readUInt16LE(a);
        const atype = buf.readUInt16LE(a + 2) & 0x3fff;
        if (alen < 4 || a + alen > off + len) break;
        if (atype === IFLA_IFNAME) {
          const end = buf.indexOf(0, a + 4);
          name = buf.toString('utf8', a + 4, end < 0 || end > a + alen ? a + alen : end);
        }
        a += (alen + 3) & ~3;
      }
      links.push({ kind: type === RTM_NEWLINK ? 'new' : 'del', index, name, flags });
    }
    off += (len + 3) & ~3;
  }
  return { links, done, error };
}

/** The RTM_GETLINK dump request (pure; exported for tests). */
export function dumpRequest(sequence: number): Buffer {
  const b = Buffer.alloc(32);
  b.writeUInt32LE(32, 0);
  b.writeUInt16LE(RTM_GETLINK, 4);
  b.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
  b.writeUInt32LE(sequence, 8);
  // struct ifinfomsg: family AF_UNSPEC, everything else 0
  return b;
}

/**
 * The link table kept from messages, by kernel index (a rename keeps the index; a deleted interface
 * leaves). Pure: `apply` returns whether any interface's name or usability changed.
 */
export class LinkTableBuilder {
  private readonly byIndex = new Map<number, { name: string; up: boolean }>();

  apply(messages: readonly LinkMessage[]): boolean {
    let changed = false;
    for (const m of messages) {
      const was = this.byIndex.get(m.index);
      if (m.kind === 'del') {
        if (was) changed = true;
        this.byIndex.delete(m.index);
        continue;
      }
      const name = m.name || was?.name || '';
      const up = linkUsable(m.flags);
      if (!was || was.name !== name || was.up !== up) changed = true;
      this.byIndex.set(m.index, { name, up });
    }
    return changed;
  }

  clear(): void {
    this.byIndex.clear();
  }

  /** Name -> usable, for every interface that exists now. */
  table(): Map<string, boolean> {
    const t = new Map<string, boolean>();
    for (const { name, up } of this.byIndex.values()) if (name) t.set(name, up);
    return t;
  }
}

/** The table as one comparable string (sorted by name). */
export function tableKey(t: ReadonlyMap<string, boolean>): string {
  return [...t.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([n, up]) => `${n}=${up ? 1 : 0}`).join(' ');
}

export interface LinkWatch {
  /** The links now (name -> usable). */
  links(): ReadonlyMap<string, boolean>;
  close(): void;
}

let bindFn: ((fd: number, addr: Buffer, len: number) => number) | null = null;
function bind(fd: number, addr: Buffer): number {
  if (!bindFn) bindFn = libc().koffi.load('libc.so.6').func('int bind(int, const void *, uint32_t)') as (fd: number, addr: Buffer, len: number) => number;
  return bindFn(fd, addr, addr.length);
}

/**
 * Subscribes to link changes; the table is complete when this returns (the dump is read at once), and
 * `onChange` is called from the event loop whenever a link's usability, name or existence changes.
 * A receive overrun (ENOBUFS: changes were lost) is answered with a fresh dump.
 */
export function watchLinks(onChange: (links: ReadonlyMap<string, boolean>) => void, onError: (e: Error) => void = () => {}): LinkWatch {
  const c = libc();
  let fd = check(c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), 'socket(AF_NETLINK) for link changes');
  const table = new LinkTableBuilder();
  const rbuf = Buffer.alloc(64 * 1024);
  const kernel = Buffer.alloc(12);
  kernel.writeUInt16LE(AF_NETLINK, 0);
  let seq = 1;
  let poller: { close(): void } | null = null;
  let dumping = false;

  const requestDump = () => {
    dumping = true;
    table.clear();
    const req = dumpRequest(seq++);
    check(c.sendto(fd, req, req.length, 0, kernel, kernel.length), 'netlink RTM_GETLINK dump');
  };

  /** Reads every queued datagram into the table. */
  const drain = (): void => {
    for (let i = 0; i < 10_000 && fd >= 0; i++) {
      const n = Number(c.recv(fd, rbuf, rbuf.length, MSG_DONTWAIT));
      if (n < 0) {
        const e = c.errno();
        if (e === eagain()) return;
        if (e === ENOBUFS) {
          requestDump(); // changes were lost: read the whole table again
          continue;
        }
        throw new Error(`netlink link watch: recv: ${c.strerror(e)} (errno ${e})`);
      }
      if (n === 0) return;
      const r = parseLinkMessages(rbuf.subarray(0, n));
      table.apply(r.links);
      if (r.done) dumping = false;
      if (r.error && r.error !== ENOBUFS) throw new Error(`netlink link watch: ${c.strerror(r.error)} (errno ${r.error})`);
    }
  };

  try {
    const local = Buffer.alloc(12); // struct sockaddr_nl { family, pad, pid 0 (kernel assigns), groups }
    local.writeUInt16LE(AF_NETLINK, 0);
    local.writeUInt32LE(RTMGRP_LINK, 8);
    check(bind(fd, local), 'bind(AF_NETLINK, RTMGRP_LINK)');
    setNonBlocking(fd);
    // The kernel answers the dump inside sendto and each recv pulls the next part: read it all now.
    requestDump();
    for (let i = 0; dumping && i < 1000; i++) drain();
    let told = tableKey(table.table());
    poller = c.koffi.node.poll(fd, { readable: true }, () => {
      try {
        drain();
        if (dumping) return; // a re-dump in progress: tell once it is whole
        const key = tableKey(table.table());
        if (key === told) return;
        told = key;
        onChange(table.table());
      } catch (e) {
        onError(e as Error);
      }
    });
  } catch (e) {
    c.close(fd);
    fd = -1;
    throw e;
  }
  return {
    links: () => table.table(),
    close: () => {
      if (fd < 0) return;
      poller?.close();
      poller = null;
      c.close(fd);
      fd = -1;
    },
  };
}
