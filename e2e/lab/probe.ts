// Probing a VIP from the client namespace: ICMP echo at a fixed rate (icmp-prober.ts, run in the
// client netns), summarised as replies, losses and the longest gap between replies, in ms.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from './names.js';
import { sleep } from '../wait.js';

export interface ProbeResult {
  target: string;
  rate: number;
  sent: number;
  received: number;
  lost: number;
  duplicates: number;
  /** Longest time without a reply: between replies, or from the first / to the last probe sent. */
  longestGapMs: number;
  /** When the first / last lost probe was sent, ms after the first probe (absent when none was lost). */
  firstLossAtMs?: number;
  lastLossAtMs?: number;
  durationMs: number;
}

export interface ProbeEvents {
  sends: Map<number, number>; // seq → send time (epoch ms)
  replies: Map<number, number>; // seq → first reply time (epoch ms)
  duplicates: number;
}

/** Parses the prober's `S seq t` / `R seq t` lines. Pure. Sequence numbers wrap at 65536. */
export function parseProberOutput(lines: string[]): ProbeEvents {
  const sends = new Map<number, number>();
  const replies = new Map<number, number>();
  const wire = new Map<number, number>(); // 16-bit seq → latest full seq sent with it
  let duplicates = 0;
  for (const line of lines) {
    const [kind, a, b] = line.trim().split(' ');
    if (kind === 'S') {
      const seq = Number(a);
      sends.set(seq, Number(b));
      wire.set(seq & 0xffff, seq);
    } else if (kind === 'R') {
      const seq = wire.get(Number(a));
      if (seq === undefined) continue;
      if (replies.has(seq)) duplicates++;
      else replies.set(seq, Number(b));
    }
  }
  return { sends, replies, duplicates };
}

/** Turns probe events into a ProbeResult. Pure. */
export function summarise(target: string, rate: number, ev: ProbeEvents): ProbeResult {
  const sendTimes = [...ev.sends.entries()].sort((x, y) => x[0] - y[0]);
  if (sendTimes.length === 0) {
    return { target, rate, sent: 0, received: 0, lost: 0, duplicates: 0, longestGapMs: 0, durationMs: 0 };
  }
  const start = sendTimes[0][1];
  const end = sendTimes[sendTimes.length - 1][1];
  const times = [start, ...[...ev.replies.values()].sort((a, b) => a - b), end];
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  const lostSeqs = sendTimes.filter(([seq]) => !ev.replies.has(seq));
  const r: ProbeResult = {
    target,
    rate,
    sent: sendTimes.length,
    received: ev.replies.size,
    lost: lostSeqs.length,
    duplicates: ev.duplicates,
    longestGapMs: Math.round(gap),
    durationMs: Math.round(end - start),
  };
  if (lostSeqs.length > 0) {
    r.firstLossAtMs = Math.round(lostSeqs[0][1] - start);
    r.lastLossAtMs = Math.round(lostSeqs[lostSeqs.length - 1][1] - start);
  }
  return r;
}

export interface RunningProbe {
  stop(): Promise<ProbeResult>;
}

export function checkProbeArgs(target: string, rate: number): void {
  if (!/^198\.1[89]\.\d{1,3}\.\d{1,3}$/.test(target)) {
    throw new LabError(`probe target must be a lab address in 198.18.0.0/15, got ${target}`);
  }
  if (!Number.isFinite(rate) || rate < 1 || rate > 2000) throw new LabError(`--rate must be 1..2000 probes/s, got ${rate}`);
}

const PROBER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'icmp-prober.ts');
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Runs a prober script (tsx) inside namespace `netns`; resolves once it printed its first line. `stop()`
 * sends SIGINT (the prober waits for replies in flight, then exits) and gives every line it printed.
 */
export function spawnProber(netns: string, script: string, args: string[]): Promise<{ stop(): Promise<string[]> }> {
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '--import', 'tsx', script, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buf = '';
  let stderr = '';
  let onFirst: (() => void) | undefined;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
      onFirst?.();
      onFirst = undefined;
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((res) => child.once('close', () => res()));
  return new Promise((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`cannot start the prober in ${netns}: ${e.message}`)));
    void exited.then(() => reject(new Error(`the prober in ${netns} ended early: ${stderr.trim()}`)));
    onFirst = () =>
      resolve({
        async stop() {
          if (child.exitCode === null) child.kill('SIGINT');
          await exited;
          if (buf) lines.push(buf);
          return lines;
        },
      });
  });
}

/** Starts probing `target` from namespace `netns`; resolves once the first probe is out. */
export async function startProbe(netns: string, target: string, rate = 100): Promise<RunningProbe> {
  checkProbeArgs(target, rate);
  const p = await spawnProber(netns, PROBER, [target, String(rate)]);
  return { stop: async () => summarise(target, rate, parseProberOutput(await p.stop())) };
}

export async function probeFor(netns: string, target: string, rate: number, seconds: number): Promise<ProbeResult> {
  if (!Number.isFinite(seconds) || seconds <= 0) throw new LabError(`--seconds must be > 0, got ${seconds}`);
  const p = await startProbe(netns, target, rate);
  await sleep(seconds * 1000);
  return p.stop();
}
