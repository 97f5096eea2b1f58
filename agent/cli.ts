#!/usr/bin/env node
// carp-agent's command line: `run` (the daemon) and the subcommands that talk to it over the control socket.
import { parseArgs, UsageError, USAGE, type Parsed } from './cli/args.js';
import { formatStatus } from './cli/format.js';
import { agentVersion } from './cli/version.js';
import { ConfigError } from './config/schema.js';
import { loadConfigFile } from './config/store.js';
import { loadState, statePathFor } from './config/state-store.js';
import { ControlClient, NotRunningError, type CommandBody } from './control/client.js';
import { startControlServer } from './control/server.js';
import { attach } from './control/attach.js';
import { Runtime } from './runtime/runtime.js';
import { stderrLogger } from './runtime/log.js';
import { installCrashHandler } from './runtime/crash.js';
import { linuxNet } from './net/index.js';

const EXIT_OK = 0;
const EXIT_REFUSED = 1;
const EXIT_USAGE = 2;
const EXIT_NOT_RUNNING = 3;

async function runAgent(p: Extract<Parsed, { cmd: 'run' }>): Promise<number> {
  const log = stderrLogger();
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
  });
  let server;
  try {
    server = await startControlServer(p.socket, runtime, { log: (m) => log.info(m) });
  } catch (e) {
    process.stderr.write(`carp-agent: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
  installCrashHandler({ release: () => runtime.releaseAddressesSync(), socketPath: p.socket });
  runtime.start(config);
  log.info(`started ${agentVersion()}: ${config.groups.length} group(s), control socket ${p.socket}`);

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
      case 'attach':
        return await attach(p.socket);
      case 'status': {
        const c = await ControlClient.connect(p.socket);
        try {
          const s = await c.firstSnapshot();
          process.stdout.write((p.json ? JSON.stringify(s, null, 2) : formatStatus(s)) + '\n');
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
    }
  } catch (e) {
    if (e instanceof NotRunningError) {
      process.stderr.write(`carp-agent: ${e.message}\n`);
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
