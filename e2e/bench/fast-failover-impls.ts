// The fast-failover benchmark's two contenders at sub-second timers: carp-agent at advbase 0 (master
// advskew 10, backup advskew 20) and keepalived VRRPv3 at advert_int 0.1 (priority 200 / 100); their
// protocol figures (pure) and how to start a pair. Stopping and resetting reuse impls.ts (same pid files).
import type { Lab } from '../lab/index.js';
import { advertPeriodMs, masterDownTimeoutMs } from '../../agent/engine/timers.js';
import { AGENT, installAgent } from '../agent/helpers.js';
import { agentStatus, resetHosts, vipsOn, type BenchGroup, type Role } from './impls.js';
import { sleep, waitFor } from './session.js';
import { AGENT_NODE } from '../../agent/node-flags.js';

export type FastImpl = 'agent' | 'keepalived';
export const FAST_IMPLS: FastImpl[] = ['agent', 'keepalived'];

const PASSWORD = 'bench-fast';
/** carp-agent: advbase 0, advskew per role. */
export const AGENT_ADVSKEW: Record<Role, number> = { master: 10, backup: 20 };
/** keepalived VRRPv3: advert_int in centiseconds (0.1 s), priority per role (as the other rows: 200 / 100). */
export const KA_ADVERT_CS = 10;
export const KA_PRIORITY: Record<Role, number> = { master: 200, backup: 100 };

/** Advert period of `impl` in `role`, ms (agent: advskew/256 s at advbase 0; VRRPv3: advert_int). */
export function fastPeriodMs(impl: FastImpl, role: Role): number {
  return impl === 'agent' ? advertPeriodMs(0, AGENT_ADVSKEW[role]) : KA_ADVERT_CS * 10;
}

/**
 * Protocol bound from the backup's last received advert to its takeover, ms. Agent: the engine's own
 * master-down at advbase 0, 3 × 20/256 s (agent/engine/timers.ts). VRRPv3 (RFC 5798 §6.1):
 * 3 × Master_Adver_Interval + Skew_Time, Skew_Time = (256 - priority) × Master_Adver_Interval / 256.
 */
export function fastBoundMs(impl: FastImpl): number {
  if (impl === 'agent') return masterDownTimeoutMs(0, AGENT_ADVSKEW.backup);
  const interval = KA_ADVERT_CS * 10;
  return 3 * interval + ((256 - KA_PRIORITY.backup) * interval) / 256;
}

export function fastBoundFormula(impl: FastImpl): string {
  return impl === 'agent' ? `3 x ${AGENT_ADVSKEW.backup}/256 s (advbase 0)` : `3 x 0.1 + (256-${KA_PRIORITY.backup}) x 0.1/256 s (VRRPv3)`;
}

/**
 * Adverts of the master that must all be lost in a row for the backup to time out: those due strictly
 * inside its timeout (one due on the deadline arrives after it).
 */
export function lossesToTimeOut(periodMs: number, boundMs: number): number {
  return Math.ceil(boundMs / periodMs) - 1;
}

/** False takeovers expected if losses were independent: adverts × P(one heard, then k lost in a row). */
export function expectedFalseTakeovers(impl: FastImpl, percent: number, seconds: number): number {
  const p = percent / 100;
  const period = fastPeriodMs(impl, 'master');
  return ((seconds * 1000) / period) * (1 - p) * p ** lossesToTimeOut(period, fastBoundMs(impl));
}

async function sh(lab: Lab, host: string, cmd: string, input?: string): Promise<string> {
  const r = await lab.exec(host, cmd, { timeoutMs: 20_000, ...(input !== undefined ? { input } : {}) });
  if (r.code !== 0) throw new Error(`${host}: \`${cmd.slice(0, 120)}\` exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

const KA_NOTE = `#!/bin/sh
# bench: keepalived notify_master ($1 vrid): stamp the takeover (read by impls.ts becameMasterAt).
date +%s%3N > /run/bench-up-$1
`;

function keepalivedV3Conf(host: string, g: BenchGroup, role: Role): string {
  // VRRPv3 carries no authentication; sub-second advert_int needs version 3.
  return `# bench: keepalived VRRPv3 at advert_int 0.1 (fast failover) of ${host}
global_defs {
  router_id ${host}
  vrrp_version 3
  script_user root
  enable_script_security
}
vrrp_instance FAST_${g.vhid} {
  state ${role === 'master' ? 'MASTER' : 'BACKUP'}
  interface eth0
  virtual_router_id ${g.vhid}
  priority ${KA_PRIORITY[role]}
  advert_int ${(KA_ADVERT_CS / 100).toFixed(2)}
  virtual_ipaddress {
    ${g.vip}/24 dev eth0
  }
  notify_master "/etc/bench-ka-note.sh ${g.vhid}"
}
`;
}

/** Starts `impl` on `host` in `role` with the fast timers; returns once its process runs (pid files as impls.ts). */
export async function startFast(lab: Lab, host: string, impl: FastImpl, g: BenchGroup, role: Role): Promise<void> {
  if (impl === 'agent') {
    const config = { groups: [{ vhid: g.vhid, interface: 'eth0', addresses: [`${g.vip}/24`], password: PASSWORD, advbase: 0, advskew: AGENT_ADVSKEW[role], preempt: false }] };
    await sh(lab, host, 'mkdir -p /etc/carp-agent && cat > /etc/carp-agent/bench.json', JSON.stringify(config));
    await sh(lab, host, 'rm -f /etc/carp-agent/state.json /var/lib/carp-agent/state.json 2>/dev/null; true');
    installAgent(lab, host);
    await sh(lab, host, `setsid ${AGENT_NODE} ${AGENT} run --config /etc/carp-agent/bench.json >>/var/log/carp-agent.log 2>&1 </dev/null & echo $! > /run/bench-agent.pid`);
    await waitFor(async () => (await lab.exec(host, 'test -S /run/carp-agent.sock')).code === 0, 10_000, `${host}: carp-agent control socket`, 50);
    return;
  }
  await sh(lab, host, 'cat > /etc/bench-ka-note.sh && chmod 755 /etc/bench-ka-note.sh', KA_NOTE);
  await sh(lab, host, 'cat > /etc/bench-keepalived.conf', keepalivedV3Conf(host, g, role));
  await sh(
    lab,
    host,
    'setsid keepalived -n -l -G -P -f /etc/bench-keepalived.conf -p /run/bench-ka.pid -r /run/bench-ka-vrrp.pid >>/var/log/keepalived.log 2>&1 </dev/null &',
  );
  await waitFor(async () => (await lab.exec(host, 'test -s /run/bench-ka-vrrp.pid')).code === 0, 10_000, `${host}: keepalived VRRP child`, 50);
}

/** Master then backup; waits until the master alone holds the VIP and the backup has settled as BACKUP. */
export async function setupFastPair(lab: Lab, impl: FastImpl, master: string, backup: string, g: BenchGroup): Promise<void> {
  await resetHosts(lab, [master, backup], [g]);
  await startFast(lab, master, impl, g, 'master');
  await waitFor(async () => (await vipsOn(lab, master)).has(g.vip), 15_000, `${impl} on ${master} holding ${g.vip}`, 20);
  await startFast(lab, backup, impl, g, 'backup');
  if (impl === 'agent') {
    await waitFor(async () => (await agentStatus(lab, backup)).groups.every((x) => x.state === 'BACKUP' && x.received > 5), 10_000, `agent on ${backup} BACKUP and hearing adverts`, 50);
  } else await sleep(1500); // keepalived has no status: 15 adverts at 0.1 s
  if ((await vipsOn(lab, backup)).has(g.vip)) throw new Error(`${impl}: the backup ${backup} holds ${g.vip} after settling (split brain?)`);
}
