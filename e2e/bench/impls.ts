// The three CARP/VRRP implementations under benchmark — carp-agent, Debian's ucarp, keepalived —
// driven the same way inside lab hosts: start groups in a role, stop cleanly, when did it become master.
import { existsSync, readFileSync } from 'node:fs';
import { AGENT, ensureBuilt as ensureAgentBuilt, installAgent } from '../agent/helpers.js';
import path from 'node:path';
import type { Lab } from '../lab/index.js';
import { run } from '../lab/run.js';
import { sleep, waitFor } from './session.js';
import { AGENT_NODE } from '../../agent/node-flags.js';
import { masterDownTimeoutMs } from '../../agent/engine/timers.js';

export type ImplName = 'agent' | 'ucarp' | 'keepalived';
export const IMPLS: ImplName[] = ['agent', 'ucarp', 'keepalived'];
export type Role = 'master' | 'backup';

export { AGENT, ensureAgentBuilt };

export interface BenchGroup {
  vhid: number;
  /** Virtual address without prefix; /24 on eth0. */
  vip: string;
}

const PASSWORD = 'bench-pw';
const ADVBASE_S = 1;

/** carp/ucarp advskew, or keepalived priority, of a role. */
export function priorityOf(impl: ImplName, role: Role): number {
  if (impl === 'keepalived') return role === 'master' ? 200 : 100;
  return role === 'master' ? 0 : 100;
}

/** Protocol bound (ms) from the backup's last received advert to its takeover. */
export function failoverBoundMs(impl: ImplName): number {
  const p = priorityOf(impl, 'backup');
  // CARP: the engine's formula (agent/engine/timers.ts); VRRP (keepalived): 3 x advert_int + (256 - priority)/256.
  if (impl !== 'keepalived') return masterDownTimeoutMs(ADVBASE_S, p);
  return (3 * ADVBASE_S + (256 - p) / 256) * 1000;
}

export function boundFormula(impl: ImplName): string {
  const p = priorityOf(impl, 'backup');
  return impl === 'keepalived' ? `3 x 1 + (256-${p})/256 s` : `3 x 1 + ${p}/256 s`;
}

async function sh(lab: Lab, host: string, cmd: string, input?: string): Promise<string> {
  const r = await lab.exec(host, cmd, { timeoutMs: 20_000, ...(input !== undefined ? { input } : {}) });
  if (r.code !== 0) throw new Error(`${host}: \`${cmd.slice(0, 120)}\` exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** Time-stamp file a hook writes when the implementation makes `vhid` master (host path /run/bench-up-VHID). */
function upStampPath(lab: Lab, host: string, vhid: number): string {
  return lab.machinePath(host, `/run/bench-up-${vhid}`);
}

const UCARP_UP = `#!/bin/sh
# bench: ucarp upscript ($1 interface, $2 vip, $3 vhid): stamp the takeover, then add the VIP.
date +%s%3N > /run/bench-up-$3
ip addr add "$2"/24 dev "$1"
`;
const UCARP_DOWN = `#!/bin/sh
# bench: ucarp downscript: remove the VIP.
ip addr del "$2"/24 dev "$1" 2>/dev/null; true
`;
const KA_NOTE = `#!/bin/sh
# bench: keepalived notify_master ($1 vrid): stamp the takeover.
date +%s%3N > /run/bench-up-$1
`;

function keepalivedConf(host: string, groups: BenchGroup[], priority: number): string {
  const inst = groups.map(
    (g) => `vrrp_instance BENCH_${g.vhid} {
  state ${priority >= 200 ? 'MASTER' : 'BACKUP'}
  interface eth0
  virtual_router_id ${g.vhid}
  priority ${priority}
  advert_int ${ADVBASE_S}
  authentication {
    auth_type PASS
    auth_pass ${PASSWORD}
  }
  virtual_ipaddress {
    ${g.vip}/24 dev eth0
  }
  notify_master "/etc/bench-ka-note.sh ${g.vhid}"
}
`,
  );
  return `# bench: keepalived (VRRPv2) config of ${host}\nglobal_defs {\n  router_id ${host}\n  script_user root\n  enable_script_security\n}\n${inst.join('')}`;
}

/** Starts `impl` on `host` with `groups` in `role`. Returns once the process(es) run. */
export async function startImpl(lab: Lab, host: string, impl: ImplName, groups: BenchGroup[], role: Role): Promise<void> {
  const prio = priorityOf(impl, role);
  const src = lab.host(host).lanAddress;
  if (impl === 'agent') {
    const config = {
      groups: groups.map((g) => ({ vhid: g.vhid, interface: 'eth0', addresses: [`${g.vip}/24`], password: PASSWORD, advbase: ADVBASE_S, advskew: prio, preempt: false })),
    };
    await sh(lab, host, 'mkdir -p /etc/carp-agent && cat > /etc/carp-agent/bench.json', JSON.stringify(config));
    await sh(lab, host, 'rm -f /etc/carp-agent/state.json /var/lib/carp-agent/state.json 2>/dev/null; true');
    installAgent(lab, host);
    await sh(
      lab,
      host,
      `setsid ${AGENT_NODE} ${AGENT} run --config /etc/carp-agent/bench.json >>/var/log/carp-agent.log 2>&1 </dev/null & echo $! > /run/bench-agent.pid`,
    );
    await waitFor(async () => (await lab.exec(host, 'test -S /run/carp-agent.sock')).code === 0, 10_000, `${host}: carp-agent control socket`, 50);
  } else if (impl === 'ucarp') {
    await sh(lab, host, 'cat > /etc/bench-ucarp-up.sh && chmod 755 /etc/bench-ucarp-up.sh', UCARP_UP);
    await sh(lab, host, 'cat > /etc/bench-ucarp-down.sh && chmod 755 /etc/bench-ucarp-down.sh', UCARP_DOWN);
    const lines = groups.map(
      (g) =>
        `setsid ucarp -i eth0 -s ${src} -v ${g.vhid} -p ${PASSWORD} -a ${g.vip} -b ${ADVBASE_S} -k ${prio} -x ${g.vhid} -z ` +
        `-u /etc/bench-ucarp-up.sh -d /etc/bench-ucarp-down.sh >>/var/log/ucarp-${g.vhid}.log 2>&1 </dev/null & echo $! > /run/bench-ucarp-${g.vhid}.pid`,
    );
    await sh(lab, host, lines.join('\n'));
  } else {
    await sh(lab, host, 'cat > /etc/bench-ka-note.sh && chmod 755 /etc/bench-ka-note.sh', KA_NOTE);
    await sh(lab, host, 'cat > /etc/bench-keepalived.conf', keepalivedConf(host, groups, prio));
    await sh(
      lab,
      host,
      'setsid keepalived -n -l -G -P -f /etc/bench-keepalived.conf -p /run/bench-ka.pid -r /run/bench-ka-vrrp.pid ' +
        '>>/var/log/keepalived.log 2>&1 </dev/null &',
    );
    await waitFor(async () => (await lab.exec(host, 'test -s /run/bench-ka-vrrp.pid')).code === 0, 10_000, `${host}: keepalived VRRP child`, 50);
  }
}

/** Host-namespace pid files of `impl`: the processes to signal, and every process that must be gone. */
function pidFiles(impl: ImplName): { signal: string; all: string } {
  if (impl === 'agent') return { signal: '/run/bench-agent.pid', all: '/run/bench-agent.pid' };
  if (impl === 'ucarp') return { signal: '/run/bench-ucarp-*.pid', all: '/run/bench-ucarp-*.pid' };
  // keepalived: the parent stops its VRRP child itself on SIGTERM; both must be gone.
  return { signal: '/run/bench-ka.pid', all: '/run/bench-ka.pid /run/bench-ka-vrrp.pid' };
}

/** Clean stop (SIGTERM: agent bows out, ucarp -z runs its downscript, keepalived sends priority 0). */
export async function stopImpl(lab: Lab, host: string, impl: ImplName, signal: 'TERM' | 'KILL' = 'TERM'): Promise<void> {
  const f = pidFiles(impl);
  const r = await lab.exec(
    host,
    `S=""; for f in ${f.signal}; do [ -s "$f" ] && S="$S $(cat "$f")"; done
     A=""; for f in ${f.all}; do [ -s "$f" ] && A="$A $(cat "$f")"; done; [ -z "$A" ] && exit 0
     kill -${signal} ${signal === 'KILL' ? '$A' : '${S:-$A}'} 2>/dev/null
     for i in $(seq 100); do alive=""; for p in $A; do kill -0 $p 2>/dev/null && alive=1; done; [ -z "$alive" ] && break; sleep 0.05; done
     [ -z "$alive" ] || kill -KILL $A 2>/dev/null
     rm -f ${f.all}; true`,
    { timeoutMs: 15_000 },
  );
  if (r.code !== 0) throw new Error(`${host}: stopping ${impl} failed: ${r.stderr.trim()}`);
}

/** Stops every implementation on every host and removes VIPs and stamps: a clean slate between runs. */
export async function resetHosts(lab: Lab, hosts: string[], groups: BenchGroup[]): Promise<void> {
  await lab.healAll();
  await Promise.all(
    hosts.map(async (h) => {
      for (const impl of IMPLS) await stopImpl(lab, h, impl, 'KILL').catch(() => undefined);
      const dels = groups.map((g) => `ip addr del ${g.vip}/24 dev eth0 2>/dev/null`).join('; ');
      await lab.exec(h, `${dels}; rm -f /run/bench-up-*; true`);
    }),
  );
}

/** The VIPs present on the host's eth0 now (read from the root namespace: no process in the host). */
/**
 * The repetition loop the pair benchmarks share: for one implementation, run `reps` repetitions on the
 * lab's fw1/fw2, log each, turn a failure into `error` (the reps done so far are kept), reset the hosts.
 */
export async function repeatOnPair<R>(
  lab: Lab,
  impl: ImplName,
  groups: BenchGroup[],
  o: { name: string; reps: number; log: (m: string) => void; one: () => Promise<R>; describe: (r: R) => string },
): Promise<{ reps: R[]; error?: string }> {
  const reps: R[] = [];
  try {
    for (let i = 0; i < o.reps; i++) {
      const r = await o.one();
      reps.push(r);
      o.log(`${o.name} ${impl} #${i + 1}${o.describe(r)}`);
    }
    return { reps };
  } catch (e) {
    const error = (e as Error).message;
    o.log(`${o.name} ${impl}: FAILED: ${error}`);
    return { reps, error };
  } finally {
    await resetHosts(lab, ['fw1', 'fw2'], groups).catch(() => undefined);
  }
}

export async function vipsOn(lab: Lab, host: string): Promise<Set<string>> {
  const r = await run('ip', ['-n', lab.host(host).netns, '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
  return new Set([...r.stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]));
}

export async function holds(lab: Lab, host: string, vip: string): Promise<boolean> {
  return (await vipsOn(lab, host)).has(vip);
}

interface AgentGroupStatus {
  vhid: number;
  state: string;
  since: number;
  received: number;
}

export async function agentStatus(lab: Lab, host: string): Promise<{ maintenance: boolean; groups: AgentGroupStatus[] }> {
  installAgent(lab, host);
  const out = await sh(lab, host, `node ${AGENT} status --json`);
  return JSON.parse(out) as { maintenance: boolean; groups: AgentGroupStatus[] };
}

/**
 * When `impl` on `host` made `vhid` master, as epoch ms on this machine's clock: the agent's own
 * `since` of the state change; ucarp's upscript / keepalived's notify_master stamp (first line they run).
 */
export async function becameMasterAt(lab: Lab, host: string, impl: ImplName, vhid: number): Promise<number> {
  if (impl === 'agent') {
    const g = (await agentStatus(lab, host)).groups.find((x) => x.vhid === vhid);
    return g && g.state === 'MASTER' ? g.since : NaN;
  }
  const f = upStampPath(lab, host, vhid);
  return existsSync(f) ? Number(readFileSync(f, 'utf8').trim()) : NaN;
}

export function clearStamp(lab: Lab, host: string, vhid: number): Promise<unknown> {
  return lab.exec(host, `rm -f /run/bench-up-${vhid}`);
}

/** Brings up `master` then `backup` for `groups` and waits until the master holds every VIP and the backup none. */
export async function setupPair(lab: Lab, impl: ImplName, master: string, backup: string, groups: BenchGroup[]): Promise<void> {
  await resetHosts(lab, [master, backup], groups);
  await startImpl(lab, master, impl, groups, 'master');
  await waitFor(async () => {
    const v = await vipsOn(lab, master);
    return groups.every((g) => v.has(g.vip));
  }, 15_000, `${impl} on ${master} holding ${groups.length} VIP(s)`, 50);
  await startImpl(lab, backup, impl, groups, 'backup');
  if (impl === 'agent') {
    await waitFor(async () => (await agentStatus(lab, backup)).groups.every((g) => g.state === 'BACKUP' && g.received > 0), 10_000, `agent on ${backup} BACKUP and hearing adverts`, 100);
  } else await sleep(2500); // ucarp and keepalived have no status: give the backup 2+ adverts to settle
  const vb = await vipsOn(lab, backup);
  const stray = groups.filter((g) => vb.has(g.vip));
  if (stray.length) throw new Error(`${impl}: the backup ${backup} holds ${stray.map((g) => g.vip).join(', ')} after settling (split brain?)`);
}

/** Root-namespace pids of `impl`'s processes on `host` (for /proc readings). */
export async function implPids(lab: Lab, host: string, impl: ImplName): Promise<number[]> {
  const r = await run('ip', ['netns', 'pids', lab.host(host).netns]);
  const pids: number[] = [];
  for (const s of r.stdout.split(/\s+/).filter(Boolean)) {
    const pid = Number(s);
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const base = path.basename(argv[0] ?? '');
      const hit =
        impl === 'agent'
          ? argv.some((a) => a.endsWith('carp-agent.js')) && argv.includes('run')
          : impl === 'ucarp'
            ? base === 'ucarp'
            : base === 'keepalived';
      if (hit) pids.push(pid);
    } catch {
      /* exited */
    }
  }
  return pids;
}
