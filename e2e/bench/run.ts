// `npm run bench [-- --only NAME[,NAME]] [--reps N] [--impls agent,ucarp,keepalived]`: runs the
// benchmarks in lab namespaces, prints a table and writes e2e/bench/results/latest.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cleanupAll } from './session.js';
import { IMPLS, ensureAgentBuilt, type ImplName } from './impls.js';
import { benchFailover } from './failover.js';
import { benchHandover } from './handover.js';
import { benchFootprint } from './footprint.js';
import { benchConsole } from './console.js';
import { benchConsoleUi } from './console-ui.js';
import { benchConsoleUiScreens } from './console-ui-screens.js';
import { benchLoss } from './loss.js';
import { benchFastFailover } from './fast-failover.js';
import { renderReport, type BenchResults } from './report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const BENCHES = ['failover', 'handover', 'footprint', 'console', 'console-ui', 'console-ui-screens', 'loss', 'fast-failover'] as const;
type BenchName = (typeof BENCHES)[number];

const USAGE = `usage: npm run bench -- [--only ${BENCHES.join('|')}[,...]] [--reps N] [--impls agent,ucarp,keepalived] [--out FILE] | --render FILE
  Runs as root in lab namespaces (ids 50..53, 69; fast-failover 26); every lab is taken down at the end, also on Ctrl-C.
  'loss' runs 60 s per implementation whatever --reps says; 'fast-failover' (agent and keepalived only) adds 60 s of loss per implementation.`;

function parse(): { only: BenchName[]; reps: number; impls: ImplName[]; out: string } {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      reps: { type: 'string', default: '3' },
      impls: { type: 'string' },
      out: { type: 'string', default: path.join(HERE, 'results/latest.json') },
      render: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.render) {
    // Re-print the table of an earlier results file (no lab needed).
    console.log(renderReport(JSON.parse(readFileSync(values.render, 'utf8')) as BenchResults));
    process.exit(0);
  }
  const only = (values.only ? values.only.split(',') : [...BENCHES]).map((s) => s.trim()) as BenchName[];
  const bad = only.filter((b) => !BENCHES.includes(b));
  if (bad.length) throw new Error(`unknown benchmark ${bad.join(', ')}: choose from ${BENCHES.join(', ')}`);
  const reps = Number(values.reps);
  if (!Number.isInteger(reps) || reps < 1 || reps > 20) throw new Error(`--reps must be an integer 1..20, got ${values.reps}`);
  const impls = (values.impls ? values.impls.split(',') : [...IMPLS]).map((s) => s.trim()) as ImplName[];
  const badImpl = impls.filter((i) => !IMPLS.includes(i));
  if (badImpl.length) throw new Error(`unknown implementation ${badImpl.join(', ')}: choose from ${IMPLS.join(', ')}`);
  return { only, reps, impls, out: path.resolve(values.out) };
}

function versions(): Record<string, string> {
  const repo = path.resolve(HERE, '../..');
  const v: Record<string, string> = {};
  try {
    v.agent = (JSON.parse(readFileSync(path.join(repo, 'agent/dist/manifest.json'), 'utf8')) as { version: string }).version;
  } catch {
    v.agent = '?';
  }
  const tool = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: repo }).split('\n')[0].trim();
    } catch (e) {
      return ((e as { stderr?: string }).stderr ?? '?').split('\n')[0].trim();
    }
  };
  v.commit = tool('git', ['rev-parse', '--short', 'HEAD']);
  v.ucarp = tool('dpkg-query', ['-W', '-f=${Version}', 'ucarp']);
  v.keepalived = tool('dpkg-query', ['-W', '-f=${Version}', 'keepalived']);
  return v;
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (e) {
    console.error(`bench: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    console.error('bench: the benchmarks build lab namespaces and need root (run as root, or with sudo)');
    return 2;
  }
  ensureAgentBuilt();
  const t0 = Date.now();
  const log = (m: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${m}`);
  const results: BenchResults = {
    startedAt: new Date(t0).toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '?', node: process.version, kernel: os.release() },
    options: { only: args.only, reps: args.reps, impls: args.impls },
    versions: versions(),
    errors: {},
  };
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`\nbench: ${sig}: taking the labs down...`);
    void cleanupAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (const b of args.only) {
      log(`--- ${b} ---`);
      try {
        if (b === 'failover') results.failover = await benchFailover({ reps: args.reps, impls: args.impls, log });
        else if (b === 'handover') results.handover = await benchHandover({ reps: args.reps, impls: args.impls, log });
        else if (b === 'footprint') results.footprint = await benchFootprint({ impls: args.impls, log });
        else if (b === 'console') results.console = await benchConsole({ log });
        else if (b === 'console-ui') results.consoleUi = await benchConsoleUi({ log });
        else if (b === 'console-ui-screens') results.consoleUiScreens = await benchConsoleUiScreens({ log });
        else if (b === 'loss') results.loss = await benchLoss({ impls: args.impls, log });
        else if (b === 'fast-failover') results.fastFailover = await benchFastFailover({ reps: args.reps, impls: args.impls, log });
      } catch (e) {
        results.errors[b] = (e as Error).message;
        log(`${b}: FAILED: ${(e as Error).message}`);
      }
    }
  } finally {
    await cleanupAll();
  }
  results.durationMs = Date.now() - t0;
  console.log(`\n${renderReport(results)}`);
  mkdirSync(path.dirname(args.out), { recursive: true });
  writeFileSync(args.out, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nresults: ${args.out} (whole run ${(results.durationMs / 1000).toFixed(0)} s)`);
  return Object.keys(results.errors).length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (e) => {
    console.error(`bench: ${(e as Error).stack ?? e}`);
    await cleanupAll();
    process.exit(1);
  },
);
