// The world of the browser tests: a 3-host lab and the web shell (`npm run serve`) as its own process,
// on a fresh HOME and config folder, so the console starts with an empty inventory and knows no keys.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab } from '../lab/index.js';
import { hostKeyPath } from '../lab/ssh.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Lab ids 50..59 are for the browser tests. */
export const LAB_ID = 50;

export interface UiWorld {
  lab: Lab;
  url: string;
  home: string;
  server: ChildProcess;
  close(): Promise<void>;
}

/** What `ssh-keygen -lf` says of a lab host's key: the fingerprint the console must show. */
export function labFingerprint(lab: Lab, host: string): string {
  const out = execFileSync('ssh-keygen', ['-lf', `${hostKeyPath(lab.stateDir, host)}.pub`], { encoding: 'utf8' });
  return out.split(/\s+/)[1];
}

/** Newest modification time of any file under `dir` (0 when it does not exist). */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Builds what the tests need: everything (`npm run build`) when the agent bundle or the renderer is
 * missing, the renderer alone (`npm run build:ui`) when its sources are newer than the build.
 */
export function ensureBuilt(opts: { electron?: boolean } = {}): void {
  const index = join(ROOT, 'dist/renderer/index.html');
  const missing = [index, join(ROOT, 'agent/dist/manifest.json'), ...(opts.electron ? [join(ROOT, 'dist/electron/main.cjs')] : [])].filter((f) => !existsSync(f));
  if (missing.length) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    return;
  }
  const src = Math.max(newest(join(ROOT, 'renderer/src')), statSync(join(ROOT, 'renderer/index.html')).mtimeMs);
  if (src > statSync(index).mtimeMs) execFileSync('npm', ['run', '-s', 'build:ui'], { cwd: ROOT, stdio: 'inherit' });
}

/** Ends a server started by startServe: SIGTERM, then SIGKILL if it has not exited within 5 s. */
export async function stopServe(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((r) => server.once('exit', () => r()));
  server.kill('SIGTERM');
  const t = setTimeout(() => server.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

/**
 * Starts the web shell (electron/web/serve.ts, what `npm run serve` runs, without npm in between so
 * no process is left behind) on `home`; resolves with the URL it prints.
 */
export function startServe(home: string, extra: string[] = []): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'electron/web/serve.ts'), '--port', '0', ...extra], {
    cwd: ROOT,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), SSH_AUTH_SOCK: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let settled = false;
    const t = setTimeout(() => {
      if (settled) return;
      settled = true;
      server.kill('SIGKILL');
      reject(new Error(`npm run serve printed no URL within 20 s: ${out}${err}`));
    }, 20_000);
    server.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (m && !settled) {
        settled = true;
        clearTimeout(t);
        resolve({ server, url: m[1] });
      }
    });
    server.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      // Whatever the server says on stderr after it started is worth seeing in the test output.
      if (settled) process.stderr.write(`[serve] ${d.toString()}`);
    });
    server.on('exit', (code, signal) => {
      clearTimeout(t);
      if (settled) return;
      settled = true;
      reject(new Error(`npm run serve exited with ${code ?? signal}: ${err}`));
    });
  });
}

/** A lab of 3 hosts and the web shell on a fresh HOME; `id`: each spec file its own lab (50..59). */
export async function uiWorld(id = LAB_ID): Promise<UiWorld> {
  ensureBuilt();
  await Lab.down(id, { purge: true }).catch(() => undefined);
  const lab = await Lab.up({ id, hosts: 3 });
  const home = mkdtempSync(join(tmpdir(), 'carp-ui-home-'));
  let server: ChildProcess | undefined;
  const cleanup = async () => {
    try {
      if (server) await stopServe(server);
    } finally {
      try {
        await lab.down({ purge: true });
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    }
  };
  try {
    const s = await startServe(home);
    server = s.server;
    return { lab, url: s.url, home, server: s.server, close: cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
