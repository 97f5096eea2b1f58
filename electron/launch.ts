// `npm run app`: the Electron shell on the built bundles (built first if missing). Without an Electron
// binary it fetches it once with electron's own install.js, and failing that opens the web console.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ELECTRON_DIR = join(ROOT, 'node_modules', 'electron');
const MAIN_BUNDLE = join(ROOT, 'dist/electron/main.cjs');
const BUILT = ['dist/electron/main.cjs', 'dist/electron/preload.cjs', 'dist/renderer/index.html'];

export const USAGE = `usage: npm run app -- [--inventory FILE] [--read-only]
  --inventory FILE  hosts from an ssh_config, Ansible inventory, lab JSON or inventory JSON
                    (default: the stored inventory, ~/.config/carp-console/inventory.json)
  --read-only       refuse every change (wall display); viewing only
  --help            this text
Opens the Electron window; without an Electron binary, the web console on 127.0.0.1.`;

const say = (line: string) => process.stderr.write(`carp-console: ${line}\n`);

/**
 * The Electron executable, found as node_modules/electron/index.js finds it (path.txt, or
 * ELECTRON_OVERRIDE_DIST_PATH), or null when it is not installed. index.js itself is not required:
 * with the binary missing it starts the download on its own and throws.
 */
export function electronBinary(electronDir = ELECTRON_DIR, env: NodeJS.ProcessEnv = process.env): string | null {
  let rel = '';
  try {
    rel = readFileSync(join(electronDir, 'path.txt'), 'utf8').trim();
  } catch {
    if (!env.ELECTRON_OVERRIDE_DIST_PATH) return null;
  }
  const bin = env.ELECTRON_OVERRIDE_DIST_PATH ? join(env.ELECTRON_OVERRIDE_DIST_PATH, rel || 'electron') : join(electronDir, 'dist', rel);
  return existsSync(bin) ? bin : null;
}

export type Launch = 'electron' | 'fetch' | 'web';

/** What to do next: the binary if it is there, else fetch it (once), else the web console. */
export function chooseLaunch(s: { binaryPresent: boolean; fetchOk?: boolean }): Launch {
  if (s.binaryPresent) return 'electron';
  return s.fetchOk === undefined ? 'fetch' : 'web';
}

/** --inventory FILE, --inventory=FILE, --read-only, --help; anything else is refused with the usage. */
export function checkArgs(argv: readonly string[]): { help: boolean; error?: string } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return { help: true };
    if (a === '--read-only' || /^--inventory=./.test(a)) continue;
    if (a === '--inventory' && argv[i + 1] && !argv[i + 1].startsWith('--')) i++;
    else return { help: false, error: a === '--inventory' ? '--inventory needs a file' : `unknown argument ${a}` };
  }
  return { help: false };
}

/** Runs electron's install.js once; returns null when it worked, else what failed (one line). */
function fetchElectron(): string | null {
  say(`the Electron binary is not installed (npm 11 does not run electron's install script without approval); fetching it now with node node_modules/electron/install.js …`);
  const r = spawnSync(process.execPath, [join(ELECTRON_DIR, 'install.js')], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60_000 });
  if (r.error) return `node node_modules/electron/install.js could not run: ${r.error.message}`;
  if (r.status === 0) return null;
  const first = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.split('\n').find((l) => l.trim()) ?? 'no output';
  return `node node_modules/electron/install.js exited with code ${r.status ?? r.signal}: ${first.trim()}`;
}

function explainFetchFailure(failure: string): void {
  say(`fetching Electron failed: ${failure}`);
  say('to use the desktop window, install the binary with network access, then run npm run app again:');
  process.stderr.write('    npm install-scripts approve electron && npm rebuild electron\n');
  process.stderr.write('    or: node node_modules/electron/install.js\n');
  process.stderr.write('    (behind a firewall, set ELECTRON_MIRROR to a reachable mirror of the Electron releases first)\n');
}

/** Best effort, only where a desktop can show it. */
function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : process.env.DISPLAY || process.env.WAYLAND_DISPLAY ? 'xdg-open' : null;
  if (!cmd) return;
  try {
    spawn(cmd, [url], { stdio: 'ignore', detached: true }).on('error', () => {}).unref();
  } catch {
    /* the URL is printed anyway */
  }
}

async function runWeb(argv: string[]): Promise<void> {
  type Serve = (argv: string[]) => Promise<{ url: string; close(): Promise<void> }>;
  let serve: Serve;
  try {
    ({ serve } = (await import('./web/serve.js')) as { serve: Serve });
  } catch (e) {
    say(`the web console (electron/web/serve.ts) cannot be loaded either: ${(e as Error).message}`);
    process.exit(1);
  }
  let served: Awaited<ReturnType<Serve>>;
  try {
    served = await serve(argv);
  } catch (e) {
    say(`the web console could not start: ${(e as Error).message}`);
    process.exit(1);
  }
  say(`opening the web console instead: ${served.url}`);
  openBrowser(served.url);
  const stop = () => {
    process.once('SIGINT', () => process.exit(130));
    served.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function runElectron(bin: string, argv: string[]): void {
  if (process.platform === 'linux' && process.getuid?.() === 0) say('note: Electron (Chromium) refuses to run as root without --no-sandbox; run npm run app as a normal user');
  const child = spawn(bin, [MAIN_BUNDLE, ...argv], { stdio: 'inherit', cwd: process.cwd() });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  child.on('error', (e) => {
    say(`cannot start ${bin}: ${e.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

async function main(argv: string[]): Promise<void> {
  const args = checkArgs(argv);
  if (args.help || args.error) {
    if (args.error) say(args.error);
    (args.error ? process.stderr : process.stdout).write(`${USAGE}\n`);
    process.exit(args.error ? 2 : 0);
  }
  const missing = BUILT.filter((f) => !existsSync(join(ROOT, f)));
  if (missing.length) {
    say(`${missing.join(', ')} missing: building first (npm run build) …`);
    const b = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
    if (b.status !== 0) {
      say(`npm run build failed (${b.error?.message ?? `exit code ${b.status ?? b.signal}`}); fix the build above and run npm run app again`);
      process.exit(1);
    }
  }
  let fetchOk: boolean | undefined;
  for (;;) {
    const bin = electronBinary();
    const next = chooseLaunch({ binaryPresent: bin !== null, fetchOk });
    if (next === 'electron') return runElectron(bin!, argv);
    if (next === 'web') return runWeb(argv);
    const failure = fetchElectron();
    fetchOk = failure === null;
    if (failure) explainFetchFailure(failure);
    else if (!electronBinary()) say(`install.js succeeded but ${relative(process.cwd(), ELECTRON_DIR)}/path.txt names no binary`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) void main(process.argv.slice(2));
