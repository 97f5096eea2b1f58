// Sender for the hostile-input test (hostile.test.ts), run inside a lab namespace:
//   node --import tsx e2e/faults/hostile-send.ts IFNAME FRAMES_FILE BATCH PID[,PID...] [INTERVAL_MS] [DEADLINE_MS]
// FRAMES_FILE holds Ethernet frames as [u16 big-endian length][bytes]...; they go out of IFNAME with one
// AF_PACKET socket, BATCH at a time. Before each batch it waits (up to 100 ms) until the raw IPv4 sockets
// of the given processes (root-namespace pids: the agents under test) have nothing queued, so a burst
// never overflows their receive buffers while the agents keep up: every frame reaches the agent's code.
// With INTERVAL_MS, batches start at least that far apart. After DEADLINE_MS (default 45 s) it stops
// sending (an agent that does not keep up must not hold the test for minutes). Prints one JSON line:
// {sent, batches, waitedMs, ms, firstAt, lastAt, stoppedEarly}.
import { readFileSync } from 'node:fs';
import { libc, check, AF_PACKET, SOCK_RAW, SOCK_CLOEXEC } from '../../agent/net/libc.js';

const [ifname, file, batchArg, pidArg, intervalArg, deadlineArg] = process.argv.slice(2);
if (!ifname || !file || !batchArg || !pidArg) {
  process.stderr.write('usage: hostile-send.ts IFNAME FRAMES_FILE BATCH PID[,PID...]\n');
  process.exit(2);
}
const batch = Number(batchArg);
const pids = pidArg.split(',').map(Number);
const intervalMs = Number(intervalArg ?? 0);
const deadlineMs = Number(deadlineArg ?? 45_000);

/** Bytes waiting in the protocol-112 raw sockets of `pid` (its netns's /proc/PID/net/raw, rx_queue column). */
function queued(pid: number): number {
  let total = 0;
  for (const line of readFileSync(`/proc/${pid}/net/raw`, 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || !f[1].endsWith(':0070')) continue;
    total += parseInt(f[4].split(':')[1], 16);
  }
  return total;
}

const data = readFileSync(file);
const frames: Buffer[] = [];
for (let o = 0; o < data.length; ) {
  const n = data.readUInt16BE(o);
  frames.push(data.subarray(o + 2, o + 2 + n));
  o += 2 + n;
}

const c = libc();
const ifindex = c.if_nametoindex(ifname);
if (!ifindex) throw new Error(`no interface ${ifname}`);
const fd = check(c.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), 'socket(AF_PACKET)');
const sll = Buffer.alloc(20);
sll.writeUInt16LE(AF_PACKET, 0);
sll.writeUInt16BE(0x0800, 2);
sll.writeInt32LE(ifindex, 4);
sll.writeUInt16LE(1, 8);
sll.writeUInt8(6, 11);

const t0 = Date.now();
let waitedMs = 0;
let batches = 0;
let sent = 0;
let firstAt = 0;
let lastAt = 0;
let stoppedEarly = false;
for (let i = 0; i < frames.length; i += batch) {
  if (Date.now() - t0 > deadlineMs) {
    stoppedEarly = true;
    break;
  }
  if (intervalMs && lastAt) while (Date.now() < lastAt + intervalMs) await new Promise((r) => setTimeout(r, 1));
  const w0 = Date.now();
  while (pids.some((p) => queued(p) > 0) && Date.now() - w0 < 100) await new Promise((r) => setTimeout(r, 1));
  waitedMs += Date.now() - w0;
  for (const f of frames.slice(i, i + batch)) {
    f.copy(sll, 12, 0, 6);
    check(Number(c.sendto(fd, f, f.length, 0, sll, sll.length)), 'sendto');
    sent++;
  }
  lastAt = Date.now();
  if (!firstAt) firstAt = lastAt;
  batches++;
  if (process.env.HOSTILE_PROGRESS && batches % 50 === 0) process.stderr.write(`${sent} sent, ${Date.now() - t0} ms, waited ${waitedMs} ms\n`);
}
c.close(fd);
process.stdout.write(JSON.stringify({ sent, batches, waitedMs, ms: Date.now() - t0, firstAt, lastAt, stoppedEarly }) + '\n');
