// The arpbalance lab kit: many clients in the client namespace (one macvlan each, so each has its own
// ARP cache as separate machines would), a responder on each firewall that answers with its name, and
// the multi-client UDP prober's output read per client (pure parts tested in balance.unit.test.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mustRun } from './run.js';
import { spawnProber } from './probe.js';
import { LabError } from './names.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');

export interface BalanceClient {
  /** Its interface in the client namespace ("c0") and its address. */
  dev: string;
  address: string;
}

/**
 * `count` clients in namespace `netns` on its eth0, addresses `${prefix}.${first + i}/24`. Each answers
 * ARP only for its own address (arp_ignore=1), and reverse-path filtering is off (the clients share a subnet).
 */
export async function addClients(netns: string, prefix: string, first: number, count: number): Promise<BalanceClient[]> {
  if (first < 1 || first + count > 250) throw new LabError(`clients ${first}..${first + count - 1} do not fit below the lab client's .250`);
  await mustRun('ip', ['netns', 'exec', netns, 'sysctl', '-qw', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']);
  const clients: BalanceClient[] = [];
  const batch: string[] = [];
  for (let i = 0; i < count; i++) {
    const c = { dev: `c${i}`, address: `${prefix}.${first + i}` };
    clients.push(c);
    const mac = `02:cb:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    batch.push(`link add ${c.dev} link eth0 address ${mac} type macvlan mode bridge`, `addr add ${c.address}/24 dev ${c.dev}`, `link set ${c.dev} up`);
  }
  await mustRun('ip', ['-n', netns, '-batch', '-'], { input: `${batch.join('\n')}\n` });
  return clients;
}

export interface Responder {
  stop(): Promise<void>;
}

/** Starts the responder (udp-responder.ts) in a firewall's namespace, bound to `address`:`port`. */
export async function startResponder(netns: string, address: string, port: number, host: string): Promise<Responder> {
  await mustRun('ip', ['netns', 'exec', netns, 'sysctl', '-qw', 'net.ipv4.ip_nonlocal_bind=1']);
  const child: ChildProcess = spawn('ip', ['netns', 'exec', netns, process.execPath, '--import', 'tsx', path.join(HERE, 'udp-responder.ts'), address, String(port), host], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((res) => child.once('close', () => res()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    void exited.then(() => reject(new Error(`the responder on ${host} ended: ${stderr.trim()}`)));
  });
  return {
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** One client's probes: send time by round, and who answered each round when (first answer). */
export interface ClientProbe {
  address: string;
  sends: Map<number, number>;
  replies: Map<number, { host: string; at: number }>;
}

/** Reads the prober's `S client round t` / `R client round host t` lines. Pure. */
export function parseBalanceProbe(lines: string[], clients: BalanceClient[]): ClientProbe[] {
  const out: ClientProbe[] = clients.map((c) => ({ address: c.address, sends: new Map(), replies: new Map() }));
  for (const line of lines) {
    const f = line.trim().split(' ');
    const c = out[Number(f[1])];
    if (!c) continue;
    if (f[0] === 'S' && f.length === 4) c.sends.set(Number(f[2]), Number(f[3]));
    else if (f[0] === 'R' && f.length === 5 && !c.replies.has(Number(f[2]))) c.replies.set(Number(f[2]), { host: f[3], at: Number(f[4]) });
  }
  return out;
}

/** Who answered the probes sent in [from, to) (epoch ms), with how many answers each. Pure. */
export function servedBy(c: ClientProbe, from = 0, to = Infinity): Map<string, number> {
  const m = new Map<string, number>();
  for (const [round, at] of c.sends) {
    if (at < from || at >= to) continue;
    const r = c.replies.get(round);
    if (r) m.set(r.host, (m.get(r.host) ?? 0) + 1);
  }
  return m;
}

/** Probes sent in [from, to) that got no answer. Pure. */
export function lostIn(c: ClientProbe, from = 0, to = Infinity): number {
  let n = 0;
  for (const [round, at] of c.sends) if (at >= from && at < to && !c.replies.has(round)) n++;
  return n;
}

/** When `host` first answered a probe sent at or after `from` (epoch ms); null if never. Pure. */
export function firstAnswerFrom(c: ClientProbe, host: string, from: number): number | null {
  let first: number | null = null;
  for (const [round, at] of c.sends) {
    const r = c.replies.get(round);
    if (at >= from && r?.host === host && (first === null || r.at < first)) first = r.at;
  }
  return first;
}

export interface RunningBalanceProbe {
  stop(): Promise<ClientProbe[]>;
}

/** Starts the multi-client prober in `netns` against `target`:`port`, `rate` probes a second per client. */
export async function startBalanceProbe(netns: string, target: string, port: number, rate: number, clients: BalanceClient[]): Promise<RunningBalanceProbe> {
  const p = await spawnProber(netns, path.join(HERE, 'udp-prober.ts'), [target, String(port), String(rate), ...clients.map((c) => `${c.dev},${c.address}`)]);
  return { stop: async () => parseBalanceProbe(await p.stop(), clients) };
}
