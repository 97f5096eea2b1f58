// `npm run serve`: opens the console on the inventory and serves the web shell on 127.0.0.1, printing
// the one URL to open (with its token). `serve(argv)` is the same without the process handling.
import { userInfo } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openConsole } from '../core/open.js';
import { startWebServer } from './server.js';
import { USAGE, UsageError, parseServeArgs } from './serve-args.js';
import { openSimulatedConsole } from './simulate.js';

/** The built renderer, found from this file so any working directory works. */
export const STATIC_DIR = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Starts the console and the web server; throws UsageError for bad arguments or an unreadable inventory. */
export async function serve(argv: string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<Served> {
  const args = parseServeArgs(argv);
  if (args.help) throw new UsageError('--help asks for the usage; there is nothing to serve');
  let opened;
  try {
    // --simulate: fake agents instead of the inventory, one random master change a second
    opened = args.simulate ? openSimulatedConsole(args.simulate, { churnMs: 1000 }) : openConsole({ ...(args.inventory ? { inventory: args.inventory } : {}), history: { who: `${userInfo().username} (web)` } });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  let server;
  try {
    server = await startWebServer({ api: opened.console, readOnly: args.readOnly, port: args.port, staticDir: STATIC_DIR });
  } catch (e) {
    opened.close();
    throw e;
  }
  out(`carp-console: open ${server.url}`);
  if (args.simulate) out(`carp-console: SIMULATED fleet: ${args.simulate.hosts} fake hosts, ${args.simulate.groups} groups (no real host is touched)`);
  if (args.readOnly) out('carp-console: read-only: every change is refused (wall display)');
  let closing: Promise<void> | null = null;
  return {
    url: server.url,
    close: () => (closing ??= server.close().finally(() => opened.close())),
  };
}

async function main(argv: string[]): Promise<void> {
  let served: Served;
  try {
    if (parseServeArgs(argv).help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    served = await serve(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`carp-console: ${e.message}\n${USAGE}\n`);
      process.exit(2);
    }
    const inUse = (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
    process.stderr.write(`carp-console: ${inUse ? 'that port is in use: choose another with --port N, or leave --port out for a free one' : (e as Error).message}\n`);
    process.exit(1);
  }
  const stop = (): void => {
    process.on('SIGINT', () => process.exit(130)); // a second Ctrl-C does not wait
    served.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main(process.argv.slice(2));
