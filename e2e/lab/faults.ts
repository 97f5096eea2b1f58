// Reversible faults: cut/heal a host's LAN link or its management link, drop a share of inbound LAN
// packets, freeze a process, partition the LAN between groups of hosts. Each works on the lab's own
// links/namespaces.
import { readFileSync } from 'node:fs';
import { mustRun, run } from './run.js';
import { LabError, type HostNames, type LabNames } from './names.js';
import { sleep } from '../wait.js';

const LOSS_TABLE = 'carplab_loss';
const OFF_TABLE = 'carplab_off';
const PART_TABLE = 'carplab_part';

export async function cut(h: HostNames): Promise<void> {
  await mustRun('ip', ['link', 'set', h.lanVeth, 'down']);
}

export async function heal(h: HostNames): Promise<void> {
  await mustRun('ip', ['link', 'set', h.lanVeth, 'up']);
}

/** The WAN cable out (a lab with `segments: 2`): the bridge-side end goes down, so eth1 loses its carrier. */
export async function cutWan(h: HostNames): Promise<void> {
  await mustRun('ip', ['link', 'set', wanVeth(h), 'down']);
}

export async function healWan(h: HostNames): Promise<void> {
  await mustRun('ip', ['link', 'set', wanVeth(h), 'up']);
}

function wanVeth(h: HostNames): string {
  if (!h.wan) throw new LabError(`${h.name} has no WAN link: bring the lab up with --segments 2`);
  return h.wan.veth;
}

/**
 * Pulls the host's management cable (mgmt0 NO-CARRIER): SSH from the machine (the console) stops
 * reaching it while CARP on the LAN carries on. Established TCP connections are not reset: like a real
 * cable, packets are just lost until healMgmt.
 */
export async function cutMgmt(h: HostNames): Promise<void> {
  await mustRun('ip', ['link', 'set', h.mgmtVeth, 'down']);
}

export async function healMgmt(h: HostNames): Promise<void> {
  await mustRun('ip', ['link', 'set', h.mgmtVeth, 'up']);
}

async function nft(netns: string, script: string): Promise<void> {
  await mustRun('ip', ['netns', 'exec', netns, 'nft', '-f', '-'], { input: script });
}

async function dropTable(netns: string, table: string): Promise<void> {
  await run('ip', ['netns', 'exec', netns, 'nft', 'delete', 'table', 'netdev', table]);
}

/**
 * The power goes: the host's own stack stops sending first (every packet it emits is dropped), then
 * `kill` ends its processes; then the TCP sockets they leave behind are destroyed. Without this, the
 * namespace's kernel, which outlives the host's processes, would go on delivering what the dead processes
 * had queued (an SSH reply, a FIN) as a real machine that lost its power never does.
 */
export async function powerCut(h: HostNames, kill: () => Promise<void>): Promise<void> {
  await nft(h.netns, `table inet ${OFF_TABLE} {\n  chain out {\n    type filter hook output priority -300; policy drop;\n  }\n}\n`);
  try {
    await kill();
    await run('ip', ['netns', 'exec', h.netns, 'ss', '-K', '-a', '-t']);
  } finally {
    await run('ip', ['netns', 'exec', h.netns, 'nft', 'delete', 'table', 'inet', OFF_TABLE]);
  }
}

/** Drops `percent` % of every frame arriving on the host's eth0 (IP, CARP, ARP); 0 removes it. */
export async function loss(h: HostNames, percent: number): Promise<void> {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw new LabError(`loss needs a percentage 0..100, got ${String(percent)}`);
  }
  await dropTable(h.netns, LOSS_TABLE);
  const p = Math.round(percent);
  if (p === 0) return;
  await nft(
    h.netns,
    `table netdev ${LOSS_TABLE} {\n  chain in {\n    type filter hook ingress device "eth0" priority -100; policy accept;\n` +
      `    numgen random mod 100 < ${p} counter drop\n  }\n}\n`,
  );
}

/** PIDs of the host's processes whose command name (or argv[0]/script basename) is `name`. */
export async function findProcesses(h: HostNames, name: string): Promise<number[]> {
  const r = await run('ip', ['netns', 'pids', h.netns]);
  const found: number[] = [];
  for (const s of r.stdout.split(/\s+/).filter(Boolean)) {
    const pid = Number(s);
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const base = (a: string) => a.split('/').pop() ?? a;
      if (comm === name || argv.slice(0, 2).some((a) => base(a) === name)) found.push(pid);
    } catch {
      /* exited meanwhile */
    }
  }
  return found;
}

/** SIGSTOP to the named processes; returns the pids stopped (those that exited meanwhile are skipped). */
export async function freeze(h: HostNames, name: string): Promise<number[]> {
  const pids = await findProcesses(h, name);
  if (pids.length === 0) throw new LabError(`no process named ${name} runs on ${h.name}`);
  const stopped = signalEach(pids, 'SIGSTOP');
  if (stopped.length === 0) throw new LabError(`every process named ${name} on ${h.name} exited before it could be frozen`);
  await waitStopped(stopped, true);
  return stopped;
}

/**
 * Sends `sig` to each pid; a pid that no longer exists (ESRCH) is skipped. Any other failure (EPERM...)
 * first undoes a SIGSTOP already sent to the others, so no process is left stopped, then throws.
 * Returns the pids that received the signal.
 */
export function signalEach(pids: number[], sig: NodeJS.Signals): number[] {
  const done: number[] = [];
  for (const p of pids) {
    try {
      process.kill(p, sig);
      done.push(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') continue; // exited meanwhile
      if (sig === 'SIGSTOP') signalEach(done, 'SIGCONT');
      throw new LabError(`cannot send ${sig} to pid ${p}: ${(e as Error).message}`);
    }
  }
  return done;
}

function isStopped(pid: number): boolean | undefined {
  try {
    return /\)\s+[Tt]\s/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone
  }
}

/** Signals are delivered asynchronously: wait (up to 1 s) until every live pid is (not) stopped. */
async function waitStopped(pids: number[], stopped: boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (pids.every((p) => isStopped(p) === undefined || isStopped(p) === stopped)) return;
    await sleep(10);
  }
}

/** SIGCONT to the named processes (or, without a name, to every stopped process of the host). */
export async function thaw(h: HostNames, name?: string): Promise<number[]> {
  let pids: number[];
  if (name) pids = await findProcesses(h, name);
  else {
    const r = await run('ip', ['netns', 'pids', h.netns]);
    pids = r.stdout.split(/\s+/).filter(Boolean).map(Number).filter((pid) => isStopped(pid) === true);
  }
  const continued: number[] = [];
  for (const p of pids) {
    try {
      process.kill(p, 'SIGCONT');
      continued.push(p);
    } catch {
      /* gone, or not ours to signal: thaw carries on with the others */
    }
  }
  await waitStopped(continued, false);
  return continued;
}

/** Hosts on different sides stop hearing each other on the LAN (frames from the others' MAC or IP). */
export async function partition(n: LabNames, sides: string[][]): Promise<void> {
  const sideOf = new Map<string, number>();
  sides.forEach((side, i) => {
    for (const name of side) {
      if (sideOf.has(name)) throw new LabError(`${name} is on two sides of the partition`);
      sideOf.set(name, i);
    }
  });
  for (const h of n.hosts) {
    await dropTable(h.netns, PART_TABLE);
    const mine = sideOf.get(h.name);
    if (mine === undefined) continue;
    const others = n.hosts.filter((o) => sideOf.has(o.name) && sideOf.get(o.name) !== mine);
    if (others.length === 0) continue;
    const macs = others.map((o) => o.lanMac).join(', ');
    const ips = others.map((o) => o.lanAddress).join(', ');
    await nft(
      h.netns,
      `table netdev ${PART_TABLE} {\n  chain in {\n    type filter hook ingress device "eth0" priority -90; policy accept;\n` +
        `    ether saddr { ${macs} } counter drop\n    ip saddr { ${ips} } counter drop\n` +
        `    arp saddr ip { ${ips} } counter drop\n  }\n}\n`,
    );
  }
}

/** Removes every fault: LAN, WAN and management links up, loss and partition tables gone, stopped processes continued. */
export async function healAll(n: LabNames): Promise<void> {
  for (const h of n.hosts) {
    await run('ip', ['link', 'set', h.lanVeth, 'up']);
    await run('ip', ['link', 'set', h.mgmtVeth, 'up']);
    if (h.wan) await run('ip', ['link', 'set', h.wan.veth, 'up']);
    await dropTable(h.netns, LOSS_TABLE);
    await dropTable(h.netns, PART_TABLE);
    await thaw(h);
  }
}
