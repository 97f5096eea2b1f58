// The lab as a TypeScript API for tests and benchmarks: bring a fleet of namespace firewalls up
// and down, run commands inside hosts, reboot and power them, inject faults, probe VIPs.
import { existsSync, mkdirSync, readFileSync, rmSync, openSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { checkLabId, defaultStateDir, labNames, LabError, type HostNames, type LabNames } from './names.js';
import { preflight } from './preflight.js';
import { createNetworks, destroyNetworks, linkIsUp, ourLinks, ourNetns } from './net.js';
import { prepareSsh, sshFiles } from './ssh.js';
import { execInHost, prepareHostDirs, HOST_MOUNTS } from './host.js';
import {
  LabConfigSchema, StatusSchema, paths, readJson, writeJsonAtomic,
  type ControlAction, type LabConfig, type Status,
} from './state.js';
import { pidAlive, run, type RunResult } from './run.js';
import { sleep } from '../wait.js';
import * as faults from './faults.js';
import { probeFor, startProbe, type ProbeResult, type RunningProbe } from './probe.js';

export { LabError } from './names.js';
export type { ProbeResult, RunningProbe } from './probe.js';
export type { RunResult } from './run.js';

export interface LabInfo {
  id: number;
  hosts: Array<{ name: string; address: string; port: number; user: string; identityFile: string; lanAddress: string; wanAddress?: string }>;
  knownHostsFile: string;
  sshConfigFile: string;
  lan: { cidr: string; bridge: string };
  /** The second segment (eth1 on every host), in a lab brought up with `segments: 2`. */
  wan?: { cidr: string; bridge: string };
  mgmt: { cidr: string; bridge: string; rootAddress: string };
  client: { namespace: string; address: string };
  stateDir: string;
}

export interface UpOptions {
  id?: number;
  hosts?: number;
  stateDir?: string;
  rebootDelayMs?: number;
  /** 2: a second segment, a WAN bridge with every host's eth1 on it (default 1: the LAN only). */
  segments?: number;
}

export interface HostStatusView {
  name: string;
  state: string;
  boots: number;
  sshd: boolean;
  lanLink: 'up' | 'cut';
  /** In a lab with two segments. */
  wanLink?: 'up' | 'cut';
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');

export function labIdFrom(explicit?: number): number {
  if (explicit !== undefined) return checkLabId(explicit);
  const env = process.env.CARP_LAB_ID;
  return checkLabId(env ? Number(env) : 0);
}

/** True when sshd at address:22 answers with its banner. */
export function sshdAnswers(address: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port: 22 });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.once('data', (d) => done(d.toString('latin1').startsWith('SSH-')));
  });
}

export class Lab {
  private constructor(
    readonly config: LabConfig,
    readonly names: LabNames,
  ) {}

  /** Is anything of lab `id` present (namespaces, links, a live supervisor)? */
  static async isUp(id: number, stateDir = defaultStateDir(id)): Promise<boolean> {
    const prefix = `cl${id}`;
    if ((await ourNetns(prefix)).length > 0 || (await ourLinks(prefix)).length > 0) return true;
    return supervisorPid(stateDir) !== undefined;
  }

  /** Creates lab `id`: networks, hosts, sshd in each; resolves when every host's sshd answers. */
  static async up(opts: UpOptions = {}): Promise<Lab> {
    preflight();
    const id = labIdFrom(opts.id);
    const stateDir = path.resolve(opts.stateDir ?? defaultStateDir(id));
    const hostCount = opts.hosts ?? 3;
    const segments = opts.segments ?? 1;
    const n = labNames(id, hostCount, stateDir, segments);
    if (await Lab.isUp(id, stateDir)) {
      throw new LabError(`lab ${id} is already up: run \`npm run lab -- down --id ${id}\` first, or use another --id`);
    }
    const cfg: LabConfig = { id, hosts: hostCount, stateDir, rebootDelayMs: opts.rebootDelayMs ?? 3000, segments };
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const p = paths(stateDir);
    for (const f of [p.status, p.info, p.supervisorPid]) rmSync(f, { force: true });
    rmSync(p.ctl, { recursive: true, force: true });
    writeJsonAtomic(p.config, cfg);
    const lab = new Lab(cfg, n);
    try {
      await prepareSsh(n);
      prepareHostDirs(n);
      await createNetworks(n);
      startSupervisor(stateDir);
      await lab.waitReady(15_000);
      await Promise.all(n.hosts.map((h) => lab.waitUp(h.name, 15_000)));
      writeJsonAtomic(p.info, lab.info);
      return lab;
    } catch (err) {
      await Lab.down(id, { stateDir }).catch(() => undefined);
      throw err;
    }
  }

  /** The running lab `id` (from its state dir). */
  static attach(id?: number, opts: { stateDir?: string } = {}): Lab {
    const lid = labIdFrom(id);
    const stateDir = path.resolve(opts.stateDir ?? defaultStateDir(lid));
    const cfg = readJson(paths(stateDir).config, LabConfigSchema);
    if (!cfg) throw new LabError(`lab ${lid} is not up (no ${paths(stateDir).config}): run \`npm run lab -- up --id ${lid}\``);
    return new Lab(cfg, labNames(cfg.id, cfg.hosts, cfg.stateDir, cfg.segments));
  }

  /** Removes every namespace, link, process and mount of lab `id`. Idempotent; works after a crash. */
  static async down(id?: number, opts: { stateDir?: string; purge?: boolean } = {}): Promise<{ netns: string[]; links: string[]; killed: number }> {
    preflight();
    const lid = labIdFrom(id);
    const stateDir = path.resolve(opts.stateDir ?? defaultStateDir(lid));
    const p = paths(stateDir);
    const sup = supervisorPid(stateDir);
    if (sup) {
      try {
        process.kill(sup, 'SIGTERM');
      } catch {
        /* gone */
      }
      for (let i = 0; i < 40 && pidAlive(sup); i++) await sleep(50);
      if (pidAlive(sup)) process.kill(sup, 'SIGKILL');
    }
    const removed = await destroyNetworks(`cl${lid}`);
    // Host mounts live in the hosts' private mount namespaces and die with them; this catches leaks.
    const mounts = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1])
      .filter((m): m is string => !!m && (m === stateDir || m.startsWith(`${stateDir}/`)))
      .reverse();
    for (const m of mounts) await run('umount', ['-l', m]);
    for (const f of [p.supervisorPid, p.status, p.info]) rmSync(f, { force: true });
    rmSync(p.ctl, { recursive: true, force: true });
    if (opts.purge) rmSync(stateDir, { recursive: true, force: true });
    return removed;
  }

  get id(): number {
    return this.config.id;
  }

  get stateDir(): string {
    return this.config.stateDir;
  }

  get info(): LabInfo {
    const n = this.names;
    const f = sshFiles(n.stateDir);
    return {
      id: n.id,
      hosts: n.hosts.map((h) => ({
        name: h.name,
        address: h.mgmtAddress,
        port: 22,
        user: 'root',
        identityFile: f.identityFile,
        lanAddress: h.lanAddress,
        ...(h.wan ? { wanAddress: h.wan.address } : {}),
      })),
      knownHostsFile: f.knownHostsFile,
      sshConfigFile: f.sshConfigFile,
      lan: { cidr: n.lanCidr, bridge: n.lanBridge },
      ...(n.wan ? { wan: { cidr: n.wan.cidr, bridge: n.wan.bridge } } : {}),
      mgmt: { cidr: n.mgmtCidr, bridge: n.mgmtBridge, rootAddress: n.rootMgmtAddress },
      client: { namespace: n.clientNetns, address: n.clientAddress },
      stateDir: n.stateDir,
    };
  }

  host(name: string): HostNames {
    const h = this.names.hosts.find((x) => x.name === name);
    if (!h) throw new LabError(`unknown host ${name}: lab ${this.id} has ${this.names.hosts.map((x) => x.name).join(', ')}`);
    return h;
  }

  /**
   * Where a path inside one of a host's own folders (/opt, /run, /var/log, /tmp, /root, /usr/local/…)
   * lives on the machine, so tests can put files into a host without going through SSH.
   */
  machinePath(name: string, inHost: string): string {
    const h = this.host(name);
    const m = HOST_MOUNTS.find(([, target]) => inHost === target || inHost.startsWith(`${target}/`));
    if (!m) throw new LabError(`${inHost} is not in one of ${name}'s own folders (${HOST_MOUNTS.map(([, t]) => t).join(', ')})`);
    return path.join(h.dir, m[0], path.relative(m[1], inHost));
  }

  /** The supervisor's view of every host; undefined when the supervisor has not written it. */
  status(): Status | undefined {
    return readJson(paths(this.stateDir).status, StatusSchema);
  }

  async hostStatus(): Promise<HostStatusView[]> {
    const st = this.status();
    return Promise.all(
      this.names.hosts.map(async (h) => ({
        name: h.name,
        state: st?.hosts[h.name]?.state ?? 'unknown',
        boots: st?.hosts[h.name]?.boots ?? 0,
        sshd: await sshdAnswers(h.mgmtAddress),
        lanLink: (await linkIsUp(h.lanVeth)) ? ('up' as const) : ('cut' as const),
        ...(h.wan ? { wanLink: (await linkIsUp(h.wan.veth)) ? ('up' as const) : ('cut' as const) } : {}),
      })),
    );
  }

  /** Runs `sh -c command` inside the host (as root, its own files and namespaces). */
  async exec(name: string, command: string, opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    const h = this.host(name);
    const hs = this.status()?.hosts[h.name];
    if (!hs || hs.state !== 'up' || !hs.initPid) throw new LabError(`${name} is not running (state ${hs?.state ?? 'unknown'})`);
    return execInHost(hs.initPid, command, opts);
  }

  /** Runs a command in the client namespace (on the LAN). */
  async clientExec(args: string[]): Promise<RunResult> {
    return run('ip', ['netns', 'exec', this.names.clientNetns, ...args]);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (this.status()?.ready) return;
      await sleep(30);
    }
    const log = existsSync(paths(this.stateDir).supervisorLog) ? readFileSync(paths(this.stateDir).supervisorLog, 'utf8').slice(-800) : '';
    throw new Error(`lab ${this.id}: supervisor did not start the hosts within ${timeoutMs} ms. ${log}`);
  }

  /** Resolves when the host is running and its sshd answers on the management address. */
  async waitUp(name: string, timeoutMs = 30_000): Promise<void> {
    const h = this.host(name);
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (this.status()?.hosts[name]?.state === 'up' && (await sshdAnswers(h.mgmtAddress, 300))) return;
      await sleep(50);
    }
    throw new Error(`${name} of lab ${this.id} did not come up within ${timeoutMs} ms (see ${this.stateDir}/hosts-console.log and ${h.dir}/var/log/sshd.log)`);
  }

  /** Sends a power action to the supervisor and waits until it has been carried out. */
  private async control(name: string, action: ControlAction, timeoutMs = 30_000): Promise<void> {
    this.host(name);
    const st = this.status();
    if (!st || !pidAlive(st.supervisorPid)) throw new LabError(`lab ${this.id} has no running supervisor: run \`npm run lab -- up --id ${this.id}\``);
    const id = `${Date.now()}-${randomUUID().slice(0, 8)}`;
    writeJsonAtomic(path.join(paths(this.stateDir).ctl, `${id}.json`), { id, host: name, action });
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (this.status()?.done.includes(id)) return;
      await sleep(30);
    }
    throw new Error(`${action} of ${name} not done within ${timeoutMs} ms`);
  }

  /** Clean reboot (as `reboot` inside the host): resolves once the host is back (sshd answering). */
  async reboot(name: string): Promise<void> {
    await this.control(name, 'reboot');
    await this.waitUp(name);
  }

  /** Power cycle without a clean shutdown; resolves once sshd answers again. */
  async reset(name: string): Promise<void> {
    await this.control(name, 'reset');
    await this.waitUp(name);
  }

  /** The power goes: nothing more leaves the host (not even what its processes had queued), its processes end. */
  async powerOff(name: string): Promise<void> {
    await faults.powerCut(this.host(name), () => this.control(name, 'poweroff'));
  }

  async powerOn(name: string): Promise<void> {
    await this.control(name, 'poweron');
    await this.waitUp(name);
  }

  cut(name: string): Promise<void> {
    return faults.cut(this.host(name));
  }

  heal(name: string): Promise<void> {
    return faults.heal(this.host(name));
  }

  /** WAN cable out (a lab with `segments: 2`): the host's eth1 loses its carrier. */
  cutWan(name: string): Promise<void> {
    return faults.cutWan(this.host(name));
  }

  healWan(name: string): Promise<void> {
    return faults.healWan(this.host(name));
  }

  /** Management cable out: the machine (console, ssh) cannot reach the host; its LAN and CARP carry on. */
  cutMgmt(name: string): Promise<void> {
    return faults.cutMgmt(this.host(name));
  }

  healMgmt(name: string): Promise<void> {
    return faults.healMgmt(this.host(name));
  }

  loss(name: string, percent: number): Promise<void> {
    return faults.loss(this.host(name), percent);
  }

  freeze(name: string, processName: string): Promise<number[]> {
    return faults.freeze(this.host(name), processName);
  }

  thaw(name: string, processName?: string): Promise<number[]> {
    return faults.thaw(this.host(name), processName);
  }

  /** partition([['fw1','fw2'],['fw3']]) */
  partition(sides: string[][]): Promise<void> {
    for (const s of sides) for (const name of s) this.host(name);
    return faults.partition(this.names, sides);
  }

  healAll(): Promise<void> {
    return faults.healAll(this.names);
  }

  probe(vip: string, opts: { rate?: number; seconds?: number } = {}): Promise<ProbeResult> {
    return probeFor(this.names.clientNetns, vip, opts.rate ?? 100, opts.seconds ?? 1);
  }

  startProbe(vip: string, opts: { rate?: number } = {}): Promise<RunningProbe> {
    return startProbe(this.names.clientNetns, vip, opts.rate ?? 100);
  }

  down(opts: { purge?: boolean } = {}): Promise<{ netns: string[]; links: string[]; killed: number }> {
    return Lab.down(this.id, { stateDir: this.stateDir, purge: opts.purge });
  }
}

function supervisorPid(stateDir: string): number | undefined {
  const f = paths(stateDir).supervisorPid;
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, 'utf8').trim());
  if (!(pid > 0) || !pidAlive(pid)) return undefined;
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes('supervisor-main') && cmd.includes(stateDir) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function startSupervisor(stateDir: string): void {
  const p = paths(stateDir);
  const log = openSync(p.supervisorLog, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'supervisor-main.ts'), stateDir], {
    cwd: REPO,
    detached: true,
    stdio: ['ignore', log, log],
  });
  if (!child.pid) throw new Error('cannot start the lab supervisor');
  writeFileSync(p.supervisorPid, `${child.pid}\n`);
  child.unref();
}
