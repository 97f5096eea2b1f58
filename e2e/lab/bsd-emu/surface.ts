// carp-console lab: emulated BSD command surfaces (not kernels): installOpenbsdSurface(lab, host) turns a
// lab host into one whose `uname -s` answers OpenBSD and whose ifconfig/sysctl/netstat/route speak
// OpenBSD's formats (installFreebsdSurface: FreeBSD's, with sysrc), with carp-agent underneath doing the
// CARP on the wire. It bundles the emulation
// daemon, copies it, the shims and the agent into the host's /opt, adds a wheel group (gid 0, as on
// OpenBSD: the console's hostname.carpN write does chown root:wheel), and starts it now and at each boot.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Lab } from '../index.js';
import { AGENT, ensureBuilt, installAgent } from '../../agent/helpers.js';
import { AGENT_NODE } from '../../../agent/node-flags.js';
import { waitFor } from '../../wait.js';
import { bootScript, EMU_DIR, EMULATION_TAG, NETSTART, RUN_DIR, SHIM_TARGETS, SHIMS } from './openbsd-shims.js';
import { FREEBSD_SHIMS, FREEBSD_TARGETS } from './freebsd-shims.js';
import { FREEBSD_EMULATION } from './freebsd-kernel.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
let bundles: Promise<Record<string, string>> | undefined;

/** The daemon and call bundles (CommonJS for the host's Node), built once per test process. */
function bundle(): Promise<Record<string, string>> {
  bundles ??= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bsd-emu-build-'));
    try {
      const out: Record<string, string> = {};
      for (const [name, entry] of [['daemon.js', 'emu-daemon-main.ts'], ['call.js', 'emu-call.ts']]) {
        await build({ entryPoints: [path.join(HERE, entry)], outfile: path.join(dir, name), bundle: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'warning' });
        out[name] = readFileSync(path.join(dir, name), 'utf8');
      }
      return out;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return bundles;
}

function put(file: string, text: string, mode: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text, { mode });
  chmodSync(file, mode);
}

async function sh(lab: Lab, host: string, cmd: string): Promise<string> {
  const r = await lab.exec(host, cmd, { timeoutMs: 20_000 });
  if (r.code !== 0) throw new Error(`${host}: ${cmd} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Waits until the host's emulation daemon has rendered its files and reached its carp-agent (after install or boot). */
export async function waitSurface(lab: Lab, host: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(async () => (await lab.exec(host, `test -f ${RUN_DIR}/ready`)).code === 0, timeoutMs, () => `${host}: the emulated command surface to start (see its /var/log/bsd-emu.log)`);
}

async function install(lab: Lab, host: string, flavour: 'openbsd' | 'freebsd'): Promise<void> {
  ensureBuilt();
  installAgent(lab, host);
  const files = await bundle();
  const dir = lab.machinePath(host, EMU_DIR);
  const shims = flavour === 'openbsd' ? SHIMS : FREEBSD_SHIMS;
  const targets = flavour === 'openbsd' ? SHIM_TARGETS : FREEBSD_TARGETS;
  for (const [name, text] of Object.entries(files)) put(path.join(dir, name), text, 0o644);
  for (const [name, text] of Object.entries(shims)) put(path.join(dir, 'bin', name), text, 0o755);
  // a shim with no system program to mount over (FreeBSD's sysrc) goes into the host's own /usr/local/sbin
  for (const name of Object.keys(shims).filter((n) => !targets[n])) put(lab.machinePath(host, `/usr/local/sbin/${name}`), shims[name], 0o755);
  put(path.join(dir, 'boot.sh'), bootScript(flavour, targets, flavour === 'openbsd' ? EMULATION_TAG : FREEBSD_EMULATION), 0o755);
  put(path.join(dir, 'agent-cmd.json'), `${JSON.stringify({ words: AGENT_NODE.split(' '), script: AGENT })}\n`, 0o644);
  // OpenBSD's /etc/netstart (the console runs `sh /etc/netstart carpN` to undo a group change); /etc is the host's own overlay
  if (flavour === 'openbsd') await lab.exec(host, 'cat > /etc/netstart && chmod 0755 /etc/netstart', { input: NETSTART });
  await sh(
    lab,
    host,
    `grep -q '^wheel:' /etc/group || echo 'wheel:x:0:root' >> /etc/group
grep -qF '${EMU_DIR}/boot.sh' /etc/rc.local || echo '${EMU_DIR}/boot.sh  # carp-console lab: emulated ${flavour === 'openbsd' ? 'OpenBSD' : 'FreeBSD'} command surface' >> /etc/rc.local
${EMU_DIR}/boot.sh`,
  );
  await waitSurface(lab, host);
}

/**
 * Installs the emulated OpenBSD command surface on a running lab host and starts it (and at every boot,
 * from /etc/rc.local). The host must not run another carp-agent. Resolves when it answers.
 */
export function installOpenbsdSurface(lab: Lab, host: string): Promise<void> {
  return install(lab, host, 'openbsd');
}

/** The same with FreeBSD's command surface (ifconfig on the parent, sysctl net.inet.carp.demotion, sysrc and rc.conf). */
export function installFreebsdSurface(lab: Lab, host: string): Promise<void> {
  return install(lab, host, 'freebsd');
}
