// Hostile input at scale: 100,000 random and mutated CARP packets (mutations of valid adverts keyed
// with the group's password and with wrong ones; bad TTL, version, checksum, vhid, length, HMAC, replayed
// counters, IP options, trailing bytes, spoofed sources, unicast and multicast) sent from other LAN
// addresses (an AF_PACKET socket in the lab's client namespace, in paced batches) at two agents, fw1
// MASTER and fw2 BACKUP of one group. Proves: (1) neither agent crashes (same pid, still answering);
// (2) their counters account for every packet that reached them: per agent, `received` grew by exactly
// the packets expected to be accepted (plus the real master's adverts at the backup) and each drop
// reason (per group, and unmatchedDrops) by exactly the packets expected to be dropped for it, with no
// packet lost in the socket buffer (/proc/PID/net/raw drops); the expectation is computed here from the
// bytes sent, in the agent's documented order of checks (own source, length, TTL, version, checksum,
// vhid, HMAC, replay); (3) validly keyed packets move state only as the protocol says: the 6,000-odd
// accepted ones advertise timing between the master's and the backup's and change nothing; then a few
// adverts equal to the master's make it yield at once, and it takes over again one master-down time
// (3 s) after they stop, the backup never moving. Printed, not asserted (a finding): what the master does
// with its own advert captured on the LAN and re-sent from another address (echoProbe).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { Lab } from '../lab/index.js';
import { labMac } from '../lab/names.js';
import { carpHmac, carpKey, encodeAdvert, encodeIpPacket, inetChecksum, ipToBuffer, bufferToIp } from '../../agent/protocol/index.js';
import type { Snapshot } from '../../agent/control/messages.js';
import { ensureBuilt, startAgent, stopAgent, status, stateOf, REPO } from '../agent/helpers.js';
import { AgentWatch, agentDaemonPid, rel, sleep, snapshotNow, waitFor } from './helpers.js';

const ID = 67;
const VHID = 1;
const VIP = `198.18.${ID}.100`;
const PASS = 'hostile-pw';
const KEY = carpKey(PASS);
const TOTAL = 100_000;
const BATCH = 100;
/** The sender stops after this long even if an agent does not keep up (then the test fails, saying how far it got). */
const SEND_DEADLINE_MS = 35_000;
const mac = (k: number) => Buffer.from(labMac(ID, k).replace(/:/g, ''), 'hex');
const CLIENT_MAC = mac(0xfa);
let lab: Lab;

// ---- a deterministic generator -----------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(0xc0ffee);
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(0, 255)));

interface Receiver {
  host: string;
  addr: string;
  mac: Buffer;
  /** Addresses the kernel of this host owns: a packet from one of them is a martian, dropped before any socket. */
  local: Set<string>;
  accepted: Set<string>;
  lastBySrc: Map<string, string>;
  /** Per frame sent: what this receiver does with it ('' when the frame was not for it). */
  perFrame: string[];
}

function receiver(host: string, index: number, local: string[]): Receiver {
  return {
    host,
    addr: `198.18.${ID}.${index}`,
    mac: mac(index),
    local: new Set(local),
    accepted: new Set(),
    lastBySrc: new Map(),
    perFrame: [],
  };
}

/** Timing that changes nothing: worse than fw1 (advbase 1, advskew 0), better than fw2's timeout, demote 0. */
function neutralTiming(): { advbase: number; advskew: number; demote: number } {
  const advbase = int(1, 3);
  const advskew = advbase === 1 ? int(1, 254) : advbase === 2 ? int(0, 255) : int(0, 200);
  return { advbase, advskew, demote: 0 };
}
const isNeutral = (h: { advbase: number; advskew: number; demote: number }) => {
  const k = h.advbase * 256 + h.advskew;
  return h.demote === 0 && k > 256 && k <= 3 * 256 + 200;
};

function counter(): Buffer {
  return bytes(8);
}

function fixChecksum(carp: Buffer): void {
  carp.writeUInt16BE(0, 6);
  carp.writeUInt16BE(inetChecksum(carp.subarray(0, 36)), 6);
}

/** An IPv4 packet with a valid header (the kernel checks it) around `payload`; options: NOP words. */
function ipPacket(payload: Buffer, o: { src: string; dst: string; ttl?: number; optionWords?: number }): Buffer {
  const opt = o.optionWords ?? 0;
  const ihl = 20 + 4 * opt;
  const ip = Buffer.alloc(ihl + payload.length);
  ip[0] = 0x40 | (ihl / 4);
  ip[1] = 0x10;
  ip.writeUInt16BE(ip.length, 2);
  ip.writeUInt16BE(int(0, 0xffff), 4);
  ip.writeUInt16BE(0x4000, 6);
  ip[8] = o.ttl ?? 255;
  ip[9] = 112;
  ipToBuffer(o.src).copy(ip, 12);
  ipToBuffer(o.dst).copy(ip, 16);
  ip.fill(0x01, 20, ihl);
  ip.writeUInt16BE(inetChecksum(ip.subarray(0, ihl)), 10);
  payload.copy(ip, ihl);
  return ip;
}

function frame(dstMac: Buffer, ip: Buffer): Buffer {
  return Buffer.concat([dstMac, CLIENT_MAC, Buffer.from([0x08, 0x00]), ip]);
}

const MCAST_MAC = Buffer.from('01005e000012', 'hex');

/**
 * What receiver `r` does with `ip`, in the agent's order of checks ("accepted", "group:REASON" for a drop
 * counted in the group, "unmatched:REASON" for one counted in unmatchedDrops); updates r's replay memory.
 * A source address the host owns is a martian to its kernel: "not delivered".
 */
function account(r: Receiver, ip: Buffer): string {
  const src = bufferToIp(ip, 12);
  if (r.local.has(src)) return 'not delivered';
  const ihl = (ip[0] & 0x0f) * 4;
  if (ihl < 20 || ip.length < ihl + 36) return 'unmatched:short';
  const carp = ip.subarray(ihl, ihl + 36);
  const vhid = carp[1];
  const where = vhid === VHID ? 'group' : 'unmatched';
  if (ip[8] !== 255) return `${where}:ttl`;
  if (carp[0] >> 4 !== 2) return `${where}:version`;
  if (inetChecksum(carp) !== 0) return `${where}:checksum`;
  if (vhid !== VHID) return 'unmatched:vhid';
  const ctr = carp.subarray(8, 16);
  if (!carpHmac(KEY, VHID, [VIP], ctr).equals(carp.subarray(16, 36))) return 'group:hmac';
  const hex = ctr.toString('hex');
  const repeatOfLast = r.lastBySrc.get(src) === hex && r.accepted.has(hex);
  if (r.accepted.has(hex) && !repeatOfLast) return 'group:replay';
  r.accepted.add(hex);
  r.lastBySrc.set(src, hex);
  return 'accepted';
}

/** The expected counters of `r` after the first `n` frames. */
function expected(perFrame: string[], n: number) {
  const e = { accepted: 0, group: {} as Record<string, number>, unmatched: {} as Record<string, number>, notDelivered: 0, sentTo: 0 };
  for (const o of perFrame.slice(0, n)) {
    if (!o) continue;
    e.sentTo++;
    if (o === 'accepted') e.accepted++;
    else if (o === 'not delivered') e.notDelivered++;
    else {
      const [where, reason] = o.split(':') as ['group' | 'unmatched', string];
      e[where][reason] = (e[where][reason] ?? 0) + 1;
    }
  }
  return e;
}

interface Generated {
  frames: Buffer[];
  kinds: Record<string, number>;
}

function generate(rs: Receiver[]): Generated {
  const frames: Buffer[] = [];
  const kinds: Record<string, number> = {};
  const others = Array.from({ length: 50 }, (_, i) => `198.18.${ID}.${200 + i}`).concat([`198.18.${ID}.250`]);
  const acceptedCounters: Array<{ hex: string; src: string }> = [];
  const wrongKeys = ['hostile-pw ', 'Hostile-pw', 'x', 'a-much-longer-pass', ''].map(carpKey);
  const kindsTable: Array<[string, number]> = [
    ['valid', 6], ['valid+options+trailer', 1], ['wrong password', 18], ['wrong address set', 2], ['replayed counter', 4],
    ['ttl', 8], ['version', 8], ['checksum', 10], ['other vhid', 8], ['short', 6], ['spoofed own/VIP source', 3],
    ['bit flips of a valid advert', 16], ['random bytes', 10],
  ];
  const weightSum = kindsTable.reduce((s, [, w]) => s + w, 0);

  for (let n = 0; n < TOTAL; n++) {
    let x = rnd() * weightSum;
    let kind = kindsTable[0][0];
    for (const [k, w] of kindsTable) {
      if ((x -= w) < 0) {
        kind = k;
        break;
      }
    }
    // Where it goes: mostly the CARP group address (both hear it), else unicast to one of them.
    const dstPick = rnd();
    const dst = dstPick < 0.8 ? null : dstPick < 0.9 ? rs[0] : rs[1];
    let src = pick(others);
    let ttl = 255;
    let optionWords = 0;
    let payload: Buffer;
    const valid = (key = KEY, addrs = [VIP], c = counter(), t = neutralTiming(), v = VHID) => encodeAdvert({ vhid: v, ...t, counter: c, key, addresses: addrs });
    switch (kind) {
      case 'valid':
        payload = valid();
        break;
      case 'valid+options+trailer':
        payload = Buffer.concat([valid(), bytes(int(1, 40))]);
        optionWords = int(1, 4);
        payload[3] = int(0, 255); // authlen: never checked
        payload[0] = 0x20 | int(0, 15); // type: never checked
        fixChecksum(payload);
        break;
      case 'wrong password':
        payload = valid(pick(wrongKeys), [VIP], counter(), { advbase: int(0, 255), advskew: int(0, 255), demote: int(0, 255) });
        break;
      case 'wrong address set':
        payload = valid(KEY, pick([[`198.18.${ID}.101`], [VIP, `198.18.${ID}.101`], ['10.0.0.1']]));
        break;
      case 'replayed counter': {
        const old = acceptedCounters.length ? pick(acceptedCounters.slice(-2000)) : null;
        payload = valid(KEY, [VIP], old ? Buffer.from(old.hex, 'hex') : counter());
        if (old) while (src === old.src) src = pick(others);
        break;
      }
      case 'ttl':
        payload = valid(rnd() < 0.5 ? KEY : pick(wrongKeys));
        ttl = pick([0, 1, 2, 63, 64, 128, 254]);
        break;
      case 'version':
        payload = valid();
        payload[0] = (pick([0, 1, 3, 4, 7, 15]) << 4) | 1;
        fixChecksum(payload);
        break;
      case 'checksum':
        payload = valid();
        payload[int(1, 35)] ^= 1 << int(0, 7);
        break;
      case 'other vhid':
        payload = valid(KEY, [VIP], counter(), neutralTiming(), pick([0, 2, 3, 42, 200, 255]));
        break;
      case 'short':
        payload = valid().subarray(0, int(0, 35));
        break;
      case 'spoofed own/VIP source':
        payload = valid(pick(wrongKeys));
        src = pick([rs[0].addr, rs[1].addr, VIP]);
        break;
      case 'bit flips of a valid advert': {
        payload = valid();
        for (let i = int(1, 3); i > 0; i--) payload[int(0, 35)] ^= 1 << int(0, 7);
        if (rnd() < 0.6) fixChecksum(payload);
        // A flip may make a validly keyed advert with other timing: keep the test's state neutral by
        // spoiling the HMAC of those (the deliberate state change is the second test).
        const h = { advbase: payload[5], advskew: payload[2], demote: payload[4] };
        if (payload[0] >> 4 === 2 && payload[1] === VHID && !isNeutral(h)) {
          payload[16 + int(0, 19)] ^= 0x80;
          fixChecksum(payload);
        }
        break;
      }
      default: // random bytes
        payload = bytes(int(0, 80));
        if (payload.length > 1 && rnd() < 0.5) payload[0] = 0x21;
        if (payload.length > 1 && rnd() < 0.5) payload[1] = VHID;
        break;
    }
    const ip = ipPacket(payload, { src, dst: dst ? dst.addr : '224.0.0.18', ttl, optionWords });
    frames.push(frame(dst ? dst.mac : MCAST_MAC, ip));
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    for (const r of rs) {
      if (dst && dst !== r) {
        r.perFrame.push('');
        continue;
      }
      const o = account(r, ip);
      r.perFrame.push(o);
      if (o === 'accepted' && r === rs[0] && !dst) acceptedCounters.push({ hex: ip.subarray((ip[0] & 0x0f) * 4 + 8, (ip[0] & 0x0f) * 4 + 16).toString('hex'), src });
    }
  }
  return { frames, kinds };
}

// ---- lab ------------------------------------------------------------------------------------------

const run = promisify(execFile);

interface Sent {
  sent: number;
  batches: number;
  waitedMs: number;
  ms: number;
  firstAt: number;
  lastAt: number;
  stoppedEarly: boolean;
}

async function send(frames: Buffer[], pids: number[], batch = BATCH, intervalMs = 0): Promise<Sent> {
  const file = `/tmp/carp-hostile-${process.pid}.bin`;
  const parts: Buffer[] = [];
  for (const f of frames) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(f.length);
    parts.push(len, f);
  }
  writeFileSync(file, Buffer.concat(parts));
  try {
    const { stdout } = await run('ip', ['netns', 'exec', `cl${ID}-client`, process.execPath, '--import', 'tsx', join(REPO, 'e2e/faults/hostile-send.ts'), 'eth0', file, String(batch), pids.join(','), String(intervalMs), String(SEND_DEADLINE_MS)], {
      cwd: REPO,
      timeout: 50_000,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!);
  } finally {
    rmSync(file, { force: true });
  }
}

/** Kernel drops of the protocol-112 raw sockets of `pid` (receive buffer full...), from /proc/PID/net/raw. */
function socketDrops(pid: number): number {
  let total = 0;
  for (const line of readFileSync(`/proc/${pid}/net/raw`, 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 12 && f[1].endsWith(':0070')) total += Number(f[f.length - 1]);
  }
  return total;
}

const groupOf = (s: Snapshot) => s.groups.find((g) => g.vhid === VHID)!;
const diff = (a: Record<string, number>, b: Record<string, number>) => {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = (b[k] ?? 0) - (a[k] ?? 0);
    if (d) out[k] = d;
  }
  return out;
};
const clean = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v));

/**
 * Both agents' snapshots at one moment between two of fw1's adverts (150 ms after one, ~850 ms before the
 * next), so that fw1's `sent` and fw2's `received` of real adverts cover the same adverts.
 */
async function snapshotsBetweenAdverts(): Promise<[Snapshot, Snapshot]> {
  const s0 = groupOf(await snapshotNow(lab, 'fw1')).sent;
  await waitFor(async () => groupOf(await snapshotNow(lab, 'fw1')).sent > s0, 3000, 'an advert from fw1', 10);
  await sleep(150);
  return Promise.all([snapshotNow(lab, 'fw1'), snapshotNow(lab, 'fw2')]);
}

/** One advert from `src` as the LAN bridge saw it (tshark, pcap on stdout): the Ethernet frame. */
async function captureOne(src: string): Promise<Buffer> {
  const { stdout } = await promisify(execFile)('tshark', ['-i', lab.names.lanBridge, '-c', '1', '-f', `ip proto 112 and src host ${src}`, '-w', '-', '-F', 'pcap', '-q'], {
    encoding: 'buffer',
    timeout: 15_000,
    maxBuffer: 1 << 20,
  });
  return Buffer.from(stdout.subarray(24 + 16)); // pcap global header, record header
}

/**
 * fw1's own advert captured on the LAN and re-sent from another LAN address. No password is needed (the
 * HMAC covers neither the source nor advbase/advskew/demote). Accepted, it would make the master yield
 * to its own equal advert (tie rule) and leave the group without a master until the master-down timer:
 * anyone on the LAN could take the group down, 3 s per packet. fw1 drops it because it carries a counter
 * fw1 sent (OpenBSD's cookie check, docs/protocol.md), fw2 because it accepted that counter already.
 */
async function echoProbe(aw: AgentWatch): Promise<void> {
  const own = await captureOne(`198.18.${ID}.1`);
  const ip = own.subarray(14);
  ipToBuffer(`198.18.${ID}.202`).copy(ip, 12);
  ip.writeUInt16BE(0, 10);
  ip.writeUInt16BE(inetChecksum(ip.subarray(0, 20)), 10);
  CLIENT_MAC.copy(own, 6);
  const [a0, b0] = [groupOf(await snapshotNow(lab, 'fw1')), groupOf(await snapshotNow(lab, 'fw2'))];
  const pids = [await agentDaemonPid(lab, 'fw1')];
  const sent = await send([own], pids);
  await sleep(500);
  const [a1, b1] = [groupOf(await snapshotNow(lab, 'fw1')), groupOf(await snapshotNow(lab, 'fw2'))];
  console.log(
    `fw1's own advert (counter ${ip.subarray(28, 36).toString('hex')}) re-sent from 198.18.${ID}.202: ` +
      `fw1 drops ${JSON.stringify(diff(a0.drops, a1.drops))}, fw2 drops ${JSON.stringify(diff(b0.drops, b1.drops))}; fw1 ${a1.state}, fw2 ${b1.state}`,
  );
  expect(diff(a0.drops, a1.drops)).toEqual({ own: 1 });
  expect(diff(b0.drops, b1.drops)).toEqual({ replay: 1 });
  expect(aw.samples.filter((x) => x.at >= sent.firstAt - 5)).toEqual([]);
  expect([a1.state, b1.state]).toEqual(['MASTER', 'BACKUP']);
}

beforeAll(async () => {
  ensureBuilt();
  await Lab.down(ID).catch(() => undefined);
  lab = await Lab.up({ id: ID, hosts: 2 });
  const cfg = (advskew: number) => ({ groups: [{ vhid: VHID, interface: 'eth0', addresses: [`${VIP}/24`], password: PASS, advbase: 1, advskew, preempt: false }] });
  await startAgent(lab, 'fw1', cfg(0));
  await waitFor(async () => (await stateOf(lab, 'fw1', VHID)) === 'MASTER', 8000, 'fw1 MASTER');
  await startAgent(lab, 'fw2', cfg(200));
  await waitFor(async () => groupOf(await status(lab, 'fw2')).received > 0, 8000, 'fw2 BACKUP hearing fw1');
});

afterAll(async () => {
  for (const h of ['fw1', 'fw2']) await stopAgent(lab, h).catch(() => undefined);
  await lab?.down({ purge: true });
});

describe('hostile input at scale (lab)', () => {
  it(`${TOTAL.toLocaleString('en')} random and mutated CARP packets: no crash, every packet accounted for, no state change`, async () => {
    const rs = [receiver('fw1', 1, [`198.18.${ID}.1`, VIP]), receiver('fw2', 2, [`198.18.${ID}.2`])];
    const t0 = Date.now();
    const g = generate(rs);
    console.log(`generated ${g.frames.length} frames in ${Date.now() - t0} ms: ${Object.entries(g.kinds).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const pids = [await agentDaemonPid(lab, 'fw1'), await agentDaemonPid(lab, 'fw2')];
    const before = await snapshotsBetweenAdverts();
    const drops0 = pids.map(socketDrops);
    const aw = new AgentWatch(lab, ['fw1', 'fw2']);
    await waitFor(() => aw.now('fw1') === 'MASTER' && aw.now('fw2') === 'BACKUP', 3000, 'agents watched');
    const r = await send(g.frames, pids);
    console.log(
      `sent ${r.sent} frames in ${r.ms} ms (${Math.round((r.sent / r.ms) * 1000)}/s, ${r.batches} batches of ${BATCH}, ${r.waitedMs} ms waiting for the agents to drain)` +
        (r.stoppedEarly ? `: STOPPED at the ${SEND_DEADLINE_MS / 1000} s deadline, the agents did not keep up` : ''),
    );
    await sleep(300);
    const after = await snapshotsBetweenAdverts();
    aw.close();
    try {
      const results = [];
      for (const [i, rcv] of rs.entries()) {
        const b = before[i];
        const a = after[i];
        const e = expected(rcv.perFrame, r.sent);
        const got = {
          accepted: groupOf(a).received - groupOf(b).received,
          group: diff(groupOf(b).drops, groupOf(a).drops),
          unmatched: diff(b.unmatchedDrops, a.unmatchedDrops),
          socketDrops: socketDrops(pids[i]) - drops0[i],
        };
        // The backup also accepted the real master's adverts meanwhile.
        const masterAdverts = rcv.host === 'fw2' ? groupOf(after[0]).sent - groupOf(before[0]).sent : 0;
        const want = { accepted: e.accepted + masterAdverts, group: clean(e.group), unmatched: clean(e.unmatched), socketDrops: 0 };
        const counted = got.accepted - masterAdverts + Object.values(got.group).reduce((x, v) => x + v, 0) + Object.values(got.unmatched).reduce((x, v) => x + v, 0);
        console.log(
          `${rcv.host}: ${e.sentTo} frames sent to it: ${e.accepted} to be accepted, drops ${JSON.stringify(e.group)}, unmatched ${JSON.stringify(e.unmatched)}, ` +
            `${e.notDelivered} from its own address (dropped by its kernel as martians, never delivered)\n` +
            `${rcv.host}: counted: received +${got.accepted} (${masterAdverts} of them the real master's adverts), drops ${JSON.stringify(got.group)}, ` +
            `unmatchedDrops ${JSON.stringify(got.unmatched)}, lost in the socket buffer ${got.socketDrops}: ${counted} + ${got.socketDrops} of ${e.sentTo - e.notDelivered} delivered`,
        );
        results.push({ host: rcv.host, pid: a.agent.pid, samePid: a.agent.pid === b.agent.pid, alive: (await agentDaemonPid(lab, rcv.host)) === pids[i], got, want, state: groupOf(a).state, since: groupOf(a).since === groupOf(b).since });
      }
      expect(r.stoppedEarly).toBe(false);
      expect(r.sent).toBe(TOTAL);
      for (const [i, x] of results.entries()) {
        expect(x.samePid && x.alive).toBe(true); // never crashed, never restarted
        expect(x.got).toEqual(x.want);
        expect(x.state).toBe(i === 0 ? 'MASTER' : 'BACKUP');
        expect(x.since).toBe(true);
      }
      // Not one state change while 100,000 packets went by.
      expect(aw.samples.filter((s) => s.state !== (s.host === 'fw1' ? 'MASTER' : 'BACKUP'))).toEqual([]);
      const log = (await lab.exec('fw1', 'cat /var/log/carp-agent.log')).stdout;
      expect(log).not.toMatch(/uncaught|crash|RangeError|TypeError/i);
      expect(log).not.toContain(PASS);
      const lines = log.split('\n').length;
      console.log(`fw1's log: ${lines} lines in all (drops are logged 3 a minute per reason, then summarised)`);
    } finally {
      aw.close();
    }
  });

  it("the master's own advert re-sent from another address is dropped as its own (fw1) and as a replay (fw2); nobody moves", async () => {
    const aw = new AgentWatch(lab, ['fw1', 'fw2']);
    try {
      await waitFor(() => aw.now('fw1') === 'MASTER' && aw.now('fw2') === 'BACKUP', 3000, 'fw1 MASTER, fw2 BACKUP');
      await echoProbe(aw);
    } finally {
      aw.close();
    }
  });

  it('validly keyed adverts move state only as the protocol says: the master yields to an equal advert at once, takes over 3 s after they stop', async () => {
    const aw = new AgentWatch(lab, ['fw1', 'fw2']);
    try {
      await waitFor(() => aw.now('fw1') === 'MASTER' && aw.now('fw2') === 'BACKUP', 3000, 'fw1 MASTER, fw2 BACKUP');
      const frames: Buffer[] = [];
      for (let i = 0; i < 8; i++) {
        const carp = encodeAdvert({ vhid: VHID, advbase: 1, advskew: 0, demote: 0, counter: counter(), key: KEY, addresses: [VIP] });
        frames.push(frame(MCAST_MAC, encodeIpPacket(carp, { src: `198.18.${ID}.201` })));
      }
      const pids = [await agentDaemonPid(lab, 'fw1'), await agentDaemonPid(lab, 'fw2')];
      // One every 300 ms (a master with advbase 1 advertises every second: this one is keen).
      const sent = await send(frames, pids, 1, 300);
      const t0 = sent.firstAt;
      const lastAt = sent.lastAt;
      await waitFor(() => aw.now('fw1') === 'MASTER', 6000, 'fw1 MASTER again after the adverts stopped');
      const moves = aw.samples.filter((s) => s.at >= t0 - 50);
      console.log(`equal adverts from .201 from 0 to ${rel(lastAt, t0)}: ${moves.map((s) => `${s.host} ${s.state} ${rel(s.at, t0)}`).join(', ')}`);
      const fw1 = moves.filter((s) => s.host === 'fw1').map((s) => s.state);
      expect(fw1).toEqual(['BACKUP', 'MASTER']);
      expect(moves.some((s) => s.host === 'fw2')).toBe(false);
      const yieldAt = moves.find((s) => s.host === 'fw1' && s.state === 'BACKUP')!.at;
      const backAt = moves.find((s) => s.host === 'fw1' && s.state === 'MASTER')!.at;
      expect(yieldAt - t0).toBeLessThan(100); // at the first one
      // Master down after 3 x advbase + advskew/256 = 3 s of silence (fw2 would wait 3.78 s).
      expect(backAt - lastAt).toBeGreaterThan(2700);
      expect(backAt - lastAt).toBeLessThan(3700);
    } finally {
      aw.close();
    }
  });
});
