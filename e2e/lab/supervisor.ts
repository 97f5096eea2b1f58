// The lab supervisor: one detached process per lab that starts every host, and stops and restarts
// them on reboot/power requests (from inside a host or from the lab API). `down` kills it.
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { labNames, type HostNames, type LabNames } from './names.js';
import { initPidOf, powerRequestFile, spawnHost } from './host.js';
import {
  ControlRequestSchema, LabConfigSchema, paths, readJson, writeJsonAtomic,
  type ControlAction, type HostStatus, type Status,
} from './state.js';
import { sleep } from '../wait.js';

interface Running {
  h: HostNames;
  child?: ChildProcess;
  exited?: Promise<void>;
  status: HostStatus;
  busy: boolean;
}

export async function superviseLab(stateDir: string): Promise<void> {
  const p = paths(stateDir);
  const cfg = readJson(p.config, LabConfigSchema);
  if (!cfg) throw new Error(`no lab config at ${p.config}: start the supervisor through \`lab up\``);
  const n = labNames(cfg.id, cfg.hosts, cfg.stateDir);
  const logFd = openSync(path.join(stateDir, 'hosts-console.log'), 'a');
  mkdirSync(p.ctl, { recursive: true });
  const hosts = new Map<string, Running>();
  const done: string[] = [];
  const now = () => new Date().toISOString();
  for (const h of n.hosts) hosts.set(h.name, { h, status: { state: 'off', boots: 0, changedAt: now() }, busy: false });
  let ready = false;

  const save = () => {
    const st: Status = {
      supervisorPid: process.pid,
      ready,
      hosts: Object.fromEntries([...hosts].map(([k, r]) => [k, r.status])),
      done: done.slice(-200),
    };
    writeJsonAtomic(p.status, st);
  };
  const setState = (r: Running, patch: Partial<HostStatus>) => {
    r.status = { ...r.status, ...patch, changedAt: now() };
    save();
  };

  const start = async (r: Running) => {
    rmSync(powerRequestFile(r.h), { force: true });
    const child = spawnHost(n, r.h, logFd);
    r.child = child;
    // A failed spawn emits 'error' (never a throw) and may never emit 'exit'; log it, never crash on it.
    child.on('error', (err) => log(`${r.h.name}: ${child.pid === undefined ? 'could not start' : 'child process error'}: ${err.message}`));
    r.exited = new Promise<void>((res) => {
      child.once('exit', () => res());
      if (child.pid === undefined) res();
    });
    child.once('exit', () => {
      if (r.child === child && !r.busy && r.status.state === 'up') {
        // PID 1 ended without a request (killed from outside): the machine is off.
        setState(r, { state: 'off', initPid: undefined, unsharePid: undefined });
      }
    });
    if (child.pid === undefined) {
      // Spawning failed outright (its 'error' is logged above): the machine stays off.
      r.child = undefined;
      setState(r, { state: 'off', initPid: undefined, unsharePid: undefined });
      return;
    }
    let initPid: number | undefined;
    for (let i = 0; i < 100 && !initPid; i++) {
      initPid = child.pid ? initPidOf(child.pid) : undefined;
      if (!initPid) await sleep(10);
    }
    setState(r, { state: 'up', initPid, unsharePid: child.pid, boots: r.status.boots + 1 });
  };

  const stop = async (r: Running, clean: boolean, next: HostStatus['state']) => {
    setState(r, { state: 'stopping' });
    const { child, exited } = r;
    const init = r.status.initPid;
    if (child && exited && child.exitCode === null && child.signalCode === null) {
      const kill = (sig: NodeJS.Signals) => {
        for (const pid of [init, child.pid]) {
          if (!pid) continue;
          try {
            process.kill(pid, sig);
          } catch {
            /* gone */
          }
        }
      };
      if (clean && init) {
        try {
          process.kill(init, 'SIGTERM');
        } catch {
          /* gone */
        }
        const t = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
        if (!t) kill('SIGKILL');
      } else {
        kill('SIGKILL');
      }
      await exited;
    }
    r.child = undefined;
    setState(r, { state: next, initPid: undefined, unsharePid: undefined });
  };

  /** Writes to the supervisor's own log (its stderr, kept in the state dir by `lab up`). */
  const log = (msg: string) => {
    try {
      process.stderr.write(`${now()} carp-lab supervisor: ${msg}\n`);
    } catch {
      /* stderr closed: carry on */
    }
  };

  const act = async (r: Running, action: ControlAction | 'reboot-clean' | 'poweroff-clean') => {
    if (r.busy) return;
    r.busy = true;
    try {
      switch (action) {
        case 'reboot':
        case 'reboot-clean':
          await stop(r, true, 'rebooting');
          await sleep(cfg.rebootDelayMs);
          await start(r);
          break;
        case 'reset':
          await stop(r, false, 'rebooting');
          await sleep(cfg.rebootDelayMs);
          await start(r);
          break;
        case 'poweroff':
          await stop(r, false, 'off');
          break;
        case 'poweroff-clean':
          await stop(r, true, 'off');
          break;
        case 'poweron':
          if (r.status.state === 'off') await start(r);
          break;
      }
    } catch (e) {
      // One host's failed action must not end the supervisor (and with it every other host).
      log(`${r.h.name}: ${action} failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      r.busy = false;
    }
  };

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all([...hosts.values()].filter((r) => r.child).map((r) => stop(r, false, 'off')));
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());

  await Promise.all([...hosts.values()].map((r) => start(r).catch((e: unknown) => log(`${r.h.name}: start failed: ${e instanceof Error ? e.message : String(e)}`))));
  ready = true;
  save();

  while (!stopping) {
    // Requests from inside hosts: `reboot`, `shutdown -r now`, `poweroff`.
    for (const r of hosts.values()) {
      if (r.busy || r.status.state !== 'up') continue;
      const f = powerRequestFile(r.h);
      if (!existsSync(f)) continue;
      const what = readFileSync(f, 'utf8').trim();
      rmSync(f, { force: true });
      void act(r, what === 'poweroff' ? 'poweroff-clean' : 'reboot-clean');
    }
    // Requests from the lab API / CLI.
    let files: string[] = [];
    try {
      files = readdirSync(p.ctl).filter((f) => f.endsWith('.json')).sort();
    } catch {
      files = [];
    }
    for (const f of files) {
      const file = path.join(p.ctl, f);
      let req;
      try {
        req = ControlRequestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
      } catch {
        rmSync(file, { force: true });
        continue;
      }
      const r = hosts.get(req.host);
      if (r && r.busy) continue; // keep it for later
      rmSync(file, { force: true });
      if (r) {
        void act(r, req.action)
          .then(() => {
            done.push(req.id);
            save();
          })
          .catch((e: unknown) => log(`request ${req.id} (${req.action} ${req.host}): ${e instanceof Error ? e.message : String(e)}`));
      } else {
        done.push(req.id);
        save();
      }
    }
    await sleep(50);
  }
}

export type { LabNames };
