// Helpers for the agent's lab tests: build the bundle, run carp-agent inside a lab host, read its status.
import { cpSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../lab/index.js';
import type { Snapshot } from '../../agent/control/messages.js';
import { waitFor } from '../wait.js';
import { AGENT_NODE } from '../../agent/node-flags.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = join(REPO, 'agent/dist');
/** The bundle inside a lab host: copied into the host's own /opt (a host cannot see the checkout: its /tmp is its own). */
export const AGENT = '/opt/carp-agent-test/carp-agent.js';

/** Builds agent/dist once if it is missing (npm test builds it first anyway). */
export function ensureBuilt(): void {
  if (!existsSync(join(DIST, 'carp-agent.js'))) execFileSync(process.execPath, [join(REPO, 'build/build-agent.mjs')], { stdio: 'inherit' });
}

const installed = new Set<string>();

/** Copies agent/dist into the host's /opt/carp-agent-test, once per host in this test process (never over a running agent). */
export function installAgent(lab: Lab, host: string): void {
  const dest = lab.machinePath(host, dirname(AGENT));
  if (installed.has(dest)) return;
  cpSync(DIST, dest, { recursive: true });
  installed.add(dest);
}

export async function sh(lab: Lab, host: string, cmd: string): Promise<string> {
  const r = await lab.exec(host, cmd, { timeoutMs: 20_000 });
  if (r.code !== 0) throw new Error(`${host}: ${cmd} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Writes the host's config and starts the agent in the background (log in /var/log/carp-agent.log), with Node as the deploy starts it. */
export async function startAgent(lab: Lab, host: string, config: object | null, extra = ''): Promise<void> {
  installAgent(lab, host);
  if (config) await lab.exec(host, `mkdir -p /etc/carp-agent && cat > /etc/carp-agent/config.json`, { input: JSON.stringify(config) });
  await sh(lab, host, `setsid ${AGENT_NODE} ${AGENT} run --config /etc/carp-agent/config.json ${extra} >>/var/log/carp-agent.log 2>&1 < /dev/null & echo $! > /run/carp-agent-test.pid`);
  await waitFor(async () => (await lab.exec(host, 'test -S /run/carp-agent.sock')).code === 0, 10_000, `${host}: agent socket`);
}

export async function stopAgent(lab: Lab, host: string, signal = 'TERM'): Promise<void> {
  // by the pid recorded at start, inside the lab host's own PID namespace
  await lab.exec(host, `P=$(cat /run/carp-agent-test.pid) || exit 0; kill -${signal} $P; for i in $(seq 50); do kill -0 $P 2>/dev/null || exit 0; sleep 0.1; done; exit 1`);
}

export async function agentCli(lab: Lab, host: string, args: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  installAgent(lab, host);
  return lab.exec(host, `node ${AGENT} ${args}`);
}

export async function status(lab: Lab, host: string): Promise<Snapshot> {
  const r = await agentCli(lab, host, 'status --json');
  if (r.code !== 0) throw new Error(`${host}: status failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Snapshot;
}

export async function stateOf(lab: Lab, host: string, vhid: number): Promise<string> {
  return (await status(lab, host)).groups.find((g) => g.vhid === vhid)?.state ?? 'none';
}

export { waitFor };

export async function hasAddress(lab: Lab, host: string, ip: string): Promise<boolean> {
  const out = await sh(lab, host, 'ip -4 -o addr show dev eth0');
  return out.includes(` ${ip}/`);
}
