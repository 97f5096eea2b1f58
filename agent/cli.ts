#!/usr/bin/env node
// carp-agent's command line: `run` (the daemon), `supervise` (runs `run` and cleans up after it when it
// dies), `cleanup`, and the subcommands that talk to the agent over the control socket.
import { realpathSync } from 'node:fs';
import { atomicWriteFile } from './config/atomic.js';
import { parseArgs, UsageError, USAGE, type Parsed } from './cli/args.js';
import { formatStatus, statusJson, describeAllow } from './cli/format.js';
import type { AllowStatus } from './control/messages.js';
import { agentVersion } from './cli/version.js';
import { ConfigError } from './config/schema.js';
import { loadConfigFile } from './config/store.js';
import { loadState, statePathFor } from './config/state-store.js';
import { ControlClient, NotRunningError, type CommandBody } from './control/client.js';
import { startControlServer } from './control/server.js';
import { attach } from './control/attach.js';
import { Runtime } from './runtime/runtime.js';
import { createLogger } from './runtime/log.js';
import { agentLogSink } from './net/syslog.js';
import { installCrashHandler } from './runtime/crash.js';
import { limitMallocRetention } from './runtime/footprint.js';
import { sendBowOut } from './runtime/bowout.js';
import { linuxNet } from './net/index.js';
import { libc } from './net/libc.js';
import {
  cleanupPlan,
  describePlan,
  describeSupervisor,
  ENV_EXIT_REASON,
  ENV_SUPERVISOR_STATE,
  readSupervisorRecord,
  removeHeld,
  restartsForSnapshot,
  socketAnswers,
  Supervisor,
  supervisorStatePathFor,
} from './runtime/supervise.js';

const EXIT_OK = 0;
const EXIT_REFUSED = 1;
const EXIT_USAGE = 2;
const EXIT_NOT_RUNNING = 3;

/** Under `supervise`: one line for the supervisor saying why this agent exits (it quotes it as the restart reason). */
function lastWords(line: string): void {
  const path = process.env[ENV_EXIT_REASON];
  if (!path) return;
  try {
    atomicWriteFile(path, line.replace(/\s*\n\s*/g, ' ').slice(0, 400) + '\n'); // 0600 whatever the umask
  } catch {
    /* best effort */
  }
}

async function runAgent(p: Extract<Parsed, { cmd: 'run' }>): Promise<number> {
  const where = agentLogSink();
  const log = createLogger(where.sink);
  for (const w of p.warnings ?? []) process.stderr.write(`${w}\n`);
  let config;
  let configPath = p.configPath;
  if (p.inline) {
    config = p.inline;
    configPath = '(command line)';
  } else {
    try {
      const loaded = loadConfigFile(p.configPath);
      config = loaded.config;
      if (loaded.missing) log.info(`no config file at ${p.configPath}: running no groups (write one, or send "apply" over the control socket)`);
    } catch (e) {
      if (e instanceof ConfigError) {
        process.stderr.write(`carp-agent: refusing to start: ${e.message}\n`);
        // The file and its bad fields, on one line (not the hints that follow them in the log).
        lastWords(`refusing to start: ${e.source}: ${e.problems.join('; ')}`);
        return EXIT_USAGE;
      }
      throw e;
    }
  }
  // parseArgs gives an inline (ucarp-style) group its own state file, never the real agent's state.json.
  const statePath = p.statePath ?? statePathFor(p.configPath);
  const st = loadState(statePath);
  if (st.problem) log.error('state', st.problem);
  const runtime = new Runtime({
    net: linuxNet,
    log,
    version: agentVersion(),
    configPath,
    statePath,
    persist: !p.inline,
    initialState: st.state,
    ...restartsOption(),
  });
  let server;
  try {
    server = await startControlServer(p.socket, runtime, { log: (m) => log.info(m) });
  } catch (e) {
    process.stderr.write(`carp-agent: ${(e as Error).message}\n`);
    lastWords(`refusing to start: ${(e as Error).message}`);
    return EXIT_USAGE;
  }
  installCrashHandler({ release: () => runtime.releaseAddressesSync(), socketPath: p.socket, lastWords });
  limitMallocRetention(); // before the groups' password checks (scrypt, 16 MiB each) run
  runtime.start(config);
  log.info(`started ${agentVersion()}: ${config.groups.length} group(s), control socket ${p.socket}, logging to ${where.where} at level ${log.level()}`);

  process.on('SIGHUP', () => {
    if (p.inline) {
      log.info('SIGHUP ignored: the group comes from the command line, there is no config file to re-read');
      return;
    }
    try {
      const { config: next } = loadConfigFile(p.configPath);
      const r = runtime.reload(next);
      log.info(`SIGHUP: ${p.configPath} re-read (revision ${r.revision})`);
    } catch (e) {
      log.error('reload', `SIGHUP: ${(e as Error).message}\n  the running config keeps running`);
    }
  });
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (sig: string) => {
      if (stopping) return;
      stopping = true;
      log.info(`${sig}: stopping (masters bow out)`);
      void runtime
        .stop()
        .then(() => server.close())
        .then(() => {
          log.info('stopped');
          resolve(EXIT_OK);
        });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

/** Under `supervise`: the restarts before this start, from the supervisor's state file, for the snapshot. */
function restartsOption(): { restarts?: NonNullable<ReturnType<typeof restartsForSnapshot>> } {
  const path = process.env[ENV_SUPERVISOR_STATE];
  if (!path) return {};
  const r = restartsForSnapshot(readSupervisorRecord(path), Date.now());
  return r ? { restarts: r } : {};
}

/** `carp-agent supervise`: runs `carp-agent run` as its child, cleans up after it and restarts it. */
async function supervise(p: Extract<Parsed, { cmd: 'supervise' }>): Promise<number> {
  const log = (m: string) => process.stderr.write(`carp-agent supervisor[${process.pid}]: ${m}\n`);
  // The same file this process runs (the version directory, not the `current` symlink, which a deploy
  // may switch): the agent and its supervisor are always one version.
  const script = realpathSync(process.argv[1]);
  const command = [
    process.execPath,
    ...process.execArgv,
    script,
    'run',
    '--config',
    p.configPath,
    '--socket',
    p.socket,
    ...(p.statePath ? ['--state', p.statePath] : []),
  ];
  // Load the netlink binding now, not in the hurry after a death.
  try {
    libc();
  } catch (e) {
    log(`error: cannot load the netlink binding: ${(e as Error).message}; addresses left by a dead agent cannot be removed`);
  }
  const sup = new Supervisor({
    command,
    configPath: p.configPath,
    socketPath: p.socket,
    net: {
      interfaceAddresses: (ifname) => linuxNet.interfaceAddresses(ifname),
      removeAddress: (ifname, cidr) => linuxNet.removeAddress(ifname, cidr),
      bowOut: (g, demote) => sendBowOut(linuxNet, g, demote),
      virtualMacLinks: () => linuxNet.balance!.virtualMacLinks(),
      deleteLink: (name) => linuxNet.balance!.deleteLink(name),
    },
    agentStatePath: p.statePath ?? statePathFor(p.configPath),
    log,
  });
  process.on('SIGTERM', () => void sup.stop('SIGTERM'));
  process.on('SIGINT', () => void sup.stop('SIGINT'));
  process.on('SIGHUP', () => sup.hup());
  process.on('uncaughtException', (e) => {
    // Leave the agent running (under systemd the unit's cgroup is stopped and restarted as a whole).
    log(`crash: ${(e).stack ?? e}; exiting, the agent keeps running unsupervised`);
    process.exit(1);
  });
  sup.start();
  return sup.done;
}

/** `carp-agent cleanup`: removes the config's VIPs from their interfaces, unless an agent is running. */
async function cleanup(p: Extract<Parsed, { cmd: 'cleanup' }>): Promise<number> {
  if (await socketAnswers(p.socket)) {
    process.stdout.write(`an agent answers on ${p.socket}: its addresses are its own, nothing removed\n`);
    return EXIT_OK;
  }
  let plan;
  try {
    plan = cleanupPlan(loadConfigFile(p.configPath).config);
  } catch (e) {
    process.stderr.write(`carp-agent: cleanup: ${(e as Error).message}\n`);
    return EXIT_REFUSED;
  }
  let failed = false;
  const removed = removeHeld(plan, linuxNet, (m) => {
    failed = true;
    process.stderr.write(`carp-agent: cleanup: ${m}\n`);
  });
  process.stdout.write(
    removed.length
      ? `removed ${removed.join(', ')}\n`
      : plan.length
        ? `none of the virtual addresses of ${p.configPath} (${describePlan(plan)}) was on its interface\n`
        : `${p.configPath} has no virtual addresses\n`,
  );
  return failed ? EXIT_REFUSED : EXIT_OK;
}

/** While the agent is down: what its supervisor says (restarting it in N s, crash loop, last reason); '' without one. */
function supervisorNote(socket: string): string {
  const r = readSupervisorRecord(supervisorStatePathFor(socket));
  if (!r) return '';
  let alive = false;
  try {
    process.kill(r.supervisorPid, 0);
    alive = true;
  } catch (e) {
    alive = (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return alive ? describeSupervisor(r, Date.now(), true) : '';
}

async function command(socket: string, body: CommandBody, print: (result: unknown) => string): Promise<number> {
  const c = await ControlClient.connect(socket);
  try {
    const r = await c.request(body);
    if (!r.ok) {
      process.stderr.write(`carp-agent: ${body.cmd} refused (${r.error.code}): ${r.error.message}\n`);
      return EXIT_REFUSED;
    }
    const out = print(r.result);
    if (out) process.stdout.write(out + '\n');
    return EXIT_OK;
  } finally {
    c.close();
  }
}

async function main(argv: string[]): Promise<number> {
  let p: Parsed;
  try {
    p = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`carp-agent: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  try {
    switch (p.cmd) {
      case 'help':
        process.stdout.write(USAGE + '\n');
        return EXIT_OK;
      case 'version':
        process.stdout.write(agentVersion() + '\n');
        return EXIT_OK;
      case 'run':
        return await runAgent(p);
      case 'supervise':
        return await supervise(p);
      case 'cleanup':
        return await cleanup(p);
      case 'attach':
        return await attach(p.socket);
      case 'status': {
        const c = await ControlClient.connect(p.socket);
        try {
          const s = await c.firstSnapshot();
          process.stdout.write((p.json ? JSON.stringify(statusJson(s), null, 2) : formatStatus(s)) + '\n');
          return EXIT_OK;
        } finally {
          c.close();
        }
      }
      case 'demote':
        return await command(p.socket, { cmd: 'demote', op: p.op, value: p.value }, (r) => `demote ${(r as { demote: number }).demote}`);
      case 'maintenance':
        return await command(p.socket, { cmd: 'maintenance', on: p.on }, (r) => `maintenance ${(r as { maintenance: boolean }).maintenance ? 'on' : 'off'}`);
      case 'set':
        return await command(p.socket, { cmd: 'set', vhid: p.vhid, key: p.key, value: p.value }, (r) => `config revision ${(r as { revision: number }).revision}`);
      case 'log':
        return await command(p.socket, { cmd: 'log', level: p.level }, (r) => `log ${(r as { log: number }).log}`);
      case 'allow':
        return await command(p.socket, { cmd: 'allow', on: p.on, persist: p.persist }, (r) => describeAllow(r as AllowStatus));
    }
  } catch (e) {
    if (e instanceof NotRunningError) {
      // A supervised agent that is down: say what its supervisor does about it (the console shows this line).
      const note = 'socket' in p ? supervisorNote(p.socket) : '';
      process.stderr.write(`carp-agent: ${note ? `${e.message.replace(/; start it with:.*$/s, '')}; ${note}` : e.message}\n`);
      return EXIT_NOT_RUNNING;
    }
    process.stderr.write(`carp-agent: ${(e as Error).message}\n`);
    return EXIT_REFUSED;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`carp-agent: unexpected error: ${(e as Error).stack ?? e}\n`);
    process.exit(EXIT_REFUSED);
  },
);
