// Deploys the agent bundle to hosts over a HostTransport: detect, check Node, upload, verify,
// install the service, switch the `current` symlink, start, handshake; roll back on failure.
import { randomBytes } from 'node:crypto';
import { join, posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAgentMessage, type Snapshot } from '../../../agent/control/messages.js';
import type { HostTransport } from '../transport.js';
import { filesFor, readManifest, type Manifest, type ManifestFile } from './manifest.js';
import { checkNode, DETECT_COMMAND, parseFacts, type HostFacts } from './platform.js';
import {
  ATTACH_COMMAND,
  BASE,
  CONFIG,
  editRcLocal,
  SERVICE_SCRIPT,
  serviceScript,
  shq,
  systemdUnit,
  WRAPPER,
  WRAPPER_LINK,
  wrapperScript,
} from './scripts.js';

import type { DeployStep } from '../events.js';
export type { DeployStep };

export interface DeployProgress {
  host: string;
  step: DeployStep;
  at: number;
  detail?: string;
}

export interface DeployOptions {
  /** Folder with manifest.json and the files it lists (default agent/dist). */
  bundleDir?: string;
  /** Already-read manifest (deployAll reads it once). */
  manifest?: Manifest;
  onProgress?: (p: DeployProgress) => void;
  /** How long the new agent has to answer `attach` with its snapshot (default 10000 ms). */
  handshakeTimeoutMs?: number;
  /** Re-upload and restart even when the same version is installed and answering. */
  force?: boolean;
  /**
   * Symlink to the wrapper on PATH (default /usr/local/bin/carp-agent); null: none. The lab's hosts
   * share the machine's /usr/local/bin, so lab tests pass null.
   */
  wrapperLink?: string | null;
  /** Uploads in flight per host (default 4; the transport also limits channels). */
  uploadConcurrency?: number;
}

export interface DeployResult {
  host: string;
  ok: boolean;
  version: string;
  /** The same version was already installed and answering: nothing was uploaded or restarted. */
  skipped?: boolean;
  /** The new version failed its handshake and the previous one was restored. */
  rolledBack?: boolean;
  /** A BSD host: CARP runs in its kernel, no agent is needed; what the console does instead. */
  kernel?: string;
  previous?: string;
  platform?: string;
  error?: string;
  ms: number;
}

/** What deploy says for a BSD host: no agent, and what the console does instead. */
export function kernelCarpNote(host: string, os: 'openbsd' | 'freebsd'): string {
  const name = os === 'openbsd' ? 'OpenBSD' : 'FreeBSD (or pfSense/OPNsense)';
  return `${host} runs ${name}: CARP runs in its kernel (carp(4)), so no agent is needed and nothing was installed; the console reads and drives it over SSH with the base system's ifconfig, sysctl, netstat and route`;
}

class DeployError extends Error {
  constructor(
    readonly host: string,
    readonly step: DeployStep,
    message: string,
  ) {
    super(message);
    this.name = 'DeployError';
  }
}

/** Runs a command and throws (naming host, step and stderr) on a non-zero exit. */
async function run(t: HostTransport, step: DeployStep, cmd: string, opts: { stdin?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await t.exec(cmd, { timeoutMs: 60_000, ...opts });
  if (r.code !== 0)
    throw new DeployError(t.host.name, step, `${t.host.name}: ${step} failed: \`${cmd.length > 120 ? cmd.slice(0, 117) + '...' : cmd}\` exited with ${r.code ?? r.signal}: ${(r.stderr || r.stdout).trim().slice(-500)}`);
  return r.stdout;
}

/** Writes a small text file on the host atomically (temp + mv) with mode. */
async function putText(t: HostTransport, path: string, text: string, mode: number): Promise<void> {
  const tmp = shq(`${path}.deploy-${randomBytes(4).toString('hex')}`);
  await run(t, 'install-service', `umask 022; mkdir -p ${shq(posix.dirname(path))} && cat > ${tmp} && chmod ${mode.toString(8)} ${tmp} && mv -f ${tmp} ${shq(path)}`, { stdin: text });
}

/** Opens `carp-agent attach` once and returns the first snapshot it sends. */
function attachOnce(t: HostTransport, timeoutMs: number): Promise<Snapshot> {
  return new Promise((resolve, reject) => {
    let done = false;
    let ch: Awaited<ReturnType<HostTransport['openLines']>> | undefined;
    const finish = (err: Error | null, snap?: Snapshot) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ch?.close();
      if (err) reject(err);
      else resolve(snap!);
    };
    const timer = setTimeout(() => finish(new Error(`no snapshot within ${timeoutMs} ms`)), timeoutMs);
    t.openLines(ATTACH_COMMAND).then(
      (c) => {
        ch = c;
        if (done) return c.close();
        c.onLine((line) => {
          try {
            const m = parseAgentMessage(line);
            if (m.type === 'snapshot') finish(null, m);
          } catch (e) {
            finish(new Error(`the agent's first message is not a valid snapshot: ${(e as Error).message.slice(0, 300)}`));
          }
        });
        c.onClose((err) => finish(err ?? new Error('attach channel closed before a snapshot arrived')));
      },
      (e) => finish(e as Error),
    );
  });
}

/** Retries attach until the agent answers with `version` or the deadline passes. */
async function handshake(t: HostTransport, version: string, timeoutMs = 10_000): Promise<Snapshot> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    try {
      const snap = await attachOnce(t, Math.max(500, deadline - Date.now()));
      if (snap.agent.version === version) return snap;
      last = `the agent answering is version ${snap.agent.version}, expected ${version}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(300);
  }
  throw new DeployError(t.host.name, 'handshake', `${t.host.name}: carp-agent ${version} did not answer \`${ATTACH_COMMAND}\` within ${timeoutMs} ms: ${last}; see /var/log/carp-agent.log on the host`);
}

/** sha256 of files under dir on the host, with the tool it has. */
async function remoteSha256(t: HostTransport, facts: HostFacts, dir: string, paths: string[]): Promise<Map<string, string>> {
  const q = paths.map(shq).join(' ');
  const cmd =
    facts.sha256Tool === 'sha256sum'
      ? `cd ${shq(dir)} && sha256sum -- ${q}`
      : `cd ${shq(dir)} && PATH=/usr/local/bin:$PATH node -e 'const c=require("crypto"),f=require("fs");for(const p of process.argv.slice(1))console.log(c.createHash("sha256").update(f.readFileSync(p)).digest("hex")+"  "+p)' ${q}`;
  const out = await run(t, 'verify', cmd);
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const r = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
    if (r) m.set(r[2], r[1]);
  }
  return m;
}

async function installService(t: HostTransport, facts: HostFacts, emit: (s: DeployStep, d?: string) => void, wrapperLink: string | null): Promise<string> {
  // The host's config survives every deploy: created only when missing.
  await run(t, 'install-service', `mkdir -p ${shq(posix.dirname(CONFIG))} && chmod 700 ${shq(posix.dirname(CONFIG))} && if [ ! -e ${shq(CONFIG)} ]; then umask 077; printf '%s\\n' '{"groups":[]}' > ${shq(CONFIG)}; echo created; fi`);
  await putText(t, SERVICE_SCRIPT, serviceScript(), 0o755);
  await putText(t, WRAPPER, wrapperScript(), 0o755);
  if (wrapperLink) await run(t, 'install-service', `mkdir -p ${shq(posix.dirname(wrapperLink))} && ln -sfn ${shq(WRAPPER)} ${shq(wrapperLink)}`);
  if (facts.systemd) {
    await putText(t, '/etc/systemd/system/carp-agent.service', systemdUnit(), 0o644);
    await run(t, 'install-service', 'systemctl daemon-reload && systemctl enable carp-agent.service >/dev/null 2>&1');
    return 'systemd';
  }
  const r = await t.exec('cat /etc/rc.local 2>/dev/null');
  const existing = r.code === 0 ? r.stdout : null;
  const next = editRcLocal(existing);
  if (next !== existing) await putText(t, '/etc/rc.local', next, 0o755);
  else emit('install-service', '/etc/rc.local already has the carp-agent line');
  return 'rc.local';
}

function restartCommand(service: string): string {
  if (service === 'systemd') return 'systemctl restart carp-agent.service';
  return `/bin/sh ${SERVICE_SCRIPT} restart`;
}

/** Points `current` at versions/<v> atomically (rename over the old link; GNU ln and mv, Linux only). */
function switchCommand(version: string): string {
  return `cd ${BASE} && ln -sfn ${shq(`versions/${version}`)} current.new && mv -Tf current.new current`;
}

async function mapLimit<T>(items: T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (i < items.length) await fn(items[i++]);
    }),
  );
}

/** Deploys the bundle to one host. Never throws: the result says ok or why not. */
export async function deployHost(t: HostTransport, opts: DeployOptions = {}): Promise<DeployResult> {
  const start = Date.now();
  const host = t.host.name;
  const emit = (step: DeployStep, detail?: string) => opts.onProgress?.({ host, step, at: Date.now(), ...(detail ? { detail } : {}) });
  let manifest: Manifest;
  try {
    manifest = opts.manifest ?? readManifest(opts.bundleDir ?? 'agent/dist');
  } catch (e) {
    emit('failed', (e as Error).message);
    return { host, ok: false, version: '?', error: (e as Error).message, ms: Date.now() - start };
  }
  const version = manifest.version;
  const bundleDir = opts.bundleDir ?? 'agent/dist';
  const hsTimeout = opts.handshakeTimeoutMs ?? 10_000;
  let facts: HostFacts | undefined;
  let previous: string | undefined;
  let switched = false;
  let service = '';
  try {
    emit('connect', `${t.host.user}@${t.host.address}:${t.host.port}`);
    const maybe = t as HostTransport & { connect?: () => Promise<void> };
    if (typeof maybe.connect === 'function') await maybe.connect();
    emit('detect');
    facts = parseFacts(await run(t, 'detect', DETECT_COMMAND, { timeoutMs: 15_000 }));
    previous = facts.installed;
    emit('detect', `${facts.platform} ${facts.distro}${facts.systemd ? ' systemd' : ''}${previous ? `, installed ${previous}` : ''}`);
    // The agent is userland CARP for Linux; BSD firewalls have carp(4) in the kernel, which the console
    // reads and drives over SSH (electron/core/kernel-link). Everything below is Linux only.
    if (facts.os === 'openbsd' || facts.os === 'freebsd') {
      const kernel = kernelCarpNote(host, facts.os);
      emit('done', kernel);
      return { host, ok: true, version: '-', kernel, platform: facts.platform, ms: Date.now() - start };
    }
    if (facts.os !== 'linux')
      throw new DeployError(host, 'detect', `${host} runs ${facts.os} (${facts.platform}): carp-agent is deployed to Linux hosts only`);
    emit('check-node', facts.nodeVersion);
    try {
      checkNode(host, facts);
    } catch (e) {
      throw new DeployError(host, 'check-node', (e as Error).message);
    }
    const files = filesFor(manifest, facts.platform);

    if (previous === version && !opts.force) {
      const ok = await handshake(t, version, Math.min(3000, hsTimeout)).then(
        () => true,
        () => false,
      );
      if (ok) {
        emit('install-service', 'checking');
        service = await installService(t, facts, emit, opts.wrapperLink === undefined ? WRAPPER_LINK : opts.wrapperLink);
        emit('done', `${version} already installed and answering`);
        return { host, ok: true, version, skipped: true, previous, platform: facts.platform, ms: Date.now() - start };
      }
      emit('upload', `${version} is installed but not answering: reinstalling`);
    }

    const vdir = `${BASE}/versions/${version}`;
    const dirs = [...new Set(files.map((f) => posix.dirname(posix.join(vdir, f.path))))];
    await run(t, 'upload', `umask 022; mkdir -p ${dirs.map(shq).join(' ')}`);
    let sent = 0;
    const total = files.reduce((n, f) => n + f.size, 0);
    emit('upload', `${files.length} files, ${(total / 1024).toFixed(0)} KiB to ${vdir}`);
    await mapLimit(files, opts.uploadConcurrency ?? 4, async (f: ManifestFile) => {
      await t.upload(join(bundleDir, f.path), posix.join(vdir, f.path), f.path.endsWith('.js') || !f.platform ? 0o644 : 0o755);
      sent += f.size;
      emit('upload', `${f.path} (${Math.round((100 * sent) / Math.max(total, 1))}%)`);
    });
    await putText(t, `${vdir}/manifest.json`, JSON.stringify(manifest, null, 2) + '\n', 0o644).catch((e) => {
      throw new DeployError(host, 'upload', (e as Error).message);
    });

    emit('verify');
    const sums = await remoteSha256(t, facts, vdir, files.map((f) => f.path));
    const bad = files.filter((f) => sums.get(f.path) !== f.sha256);
    if (bad.length)
      throw new DeployError(host, 'verify', `${host}: checksum mismatch after upload for ${bad.map((f) => `${f.path} (expected ${f.sha256.slice(0, 12)}…, got ${sums.get(f.path)?.slice(0, 12) ?? 'nothing'}…)`).join(', ')}; retry the deploy`);
    emit('verify', `${files.length} files match the manifest`);

    emit('install-service');
    service = await installService(t, facts, emit, opts.wrapperLink === undefined ? WRAPPER_LINK : opts.wrapperLink);
    emit('install-service', service);

    emit('start', previous && previous !== version ? `stopping ${previous}, starting ${version}` : `starting ${version}`);
    await run(t, 'start', switchCommand(version));
    switched = true;
    await run(t, 'start', restartCommand(service), { timeoutMs: 30_000 });

    emit('handshake');
    const snap = await handshake(t, version, hsTimeout);
    emit('handshake', `${snap.agent.hostname} pid ${snap.agent.pid} version ${snap.agent.version}, ${snap.groups.length} groups`);
    // Keep the current and the previous version; older ones go.
    const keep = [version, previous].filter(Boolean).map((v) => `! -name ${shq(v!)}`).join(' ');
    await t.exec(`cd ${BASE}/versions && find . -mindepth 1 -maxdepth 1 -type d ${keep} -exec rm -rf {} +`).catch(() => undefined);
    emit('done', version);
    return { host, ok: true, version, previous, platform: facts.platform, ms: Date.now() - start };
  } catch (e) {
    const err = e as Error;
    // Roll back when a different previous version exists and we already switched away from it.
    if (switched && facts && previous && previous !== version) {
      try {
        await run(t, 'rolled-back', switchCommand(previous));
        await run(t, 'rolled-back', restartCommand(service), { timeoutMs: 30_000 });
        await handshake(t, previous, hsTimeout);
        emit('rolled-back', `${version} failed (${err.message}); ${previous} restored and answering`);
        return { host, ok: false, version, rolledBack: true, previous, platform: facts.platform, error: err.message, ms: Date.now() - start };
      } catch (e2) {
        const msg = `${err.message}; rollback to ${previous} also failed: ${(e2 as Error).message}`;
        emit('failed', msg);
        return { host, ok: false, version, previous, platform: facts.platform, error: msg, ms: Date.now() - start };
      }
    }
    emit('failed', err.message);
    return { host, ok: false, version, previous, platform: facts?.platform, error: err.message, ms: Date.now() - start };
  }
}

/** Deploys to every host in parallel; one host's failure never stops the others. */
export async function deployAll(transports: HostTransport[], opts: DeployOptions = {}): Promise<DeployResult[]> {
  let manifest: Manifest;
  try {
    manifest = opts.manifest ?? readManifest(opts.bundleDir ?? 'agent/dist');
  } catch (e) {
    return transports.map((t) => {
      opts.onProgress?.({ host: t.host.name, step: 'failed', at: Date.now(), detail: (e as Error).message });
      return { host: t.host.name, ok: false, version: '?', error: (e as Error).message, ms: 0 };
    });
  }
  return Promise.all(transports.map((t) => deployHost(t, { ...opts, manifest })));
}

