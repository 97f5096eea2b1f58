// `npm run serve` arguments: --port N, --read-only, --inventory FILE, --simulate HxG, --help; anything else is a usage error.
import { parseSimSize, type SimSize } from '../core/testing/sim-fleet.js';

export const USAGE = `usage: npm run serve -- [--port N] [--read-only] [--inventory FILE | --simulate HxG]
  --port N          listen on 127.0.0.1:N (default: a free port)
  --read-only       refuse every change (wall display); viewing only
  --inventory FILE  hosts from an ssh_config, Ansible inventory, lab JSON or inventory JSON
                    (default: the stored inventory, ~/.config/carp-console/inventory.json)
  --simulate HxG    no real hosts: H fake agents carrying G groups (e.g. 200x1000), for scale
                    work and benchmarks; masters change on their own (see the README)
  --help            this text
Prints the URL to open (it carries the session token); Ctrl-C stops.`;

export class UsageError extends Error {}

export interface ServeArgs {
  port: number;
  readOnly: boolean;
  inventory?: string;
  /** A simulated fleet of fake agents instead of the inventory (scale work; not in the app's menus). */
  simulate?: SimSize;
  help: boolean;
}

export function parseServeArgs(argv: string[]): ServeArgs {
  const a: ServeArgs = { port: 0, readOnly: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      const v = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (name === '--port') {
      const v = value();
      if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new UsageError(`--port must be 0..65535, got ${v}`);
      a.port = Number(v);
    } else if (name === '--inventory') a.inventory = value();
    else if (name === '--simulate') {
      try {
        a.simulate = parseSimSize(value());
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }
    else if (arg === '--read-only') a.readOnly = true;
    else if (arg === '--help' || arg === '-h') a.help = true;
    else throw new UsageError(`unknown argument ${arg}`);
  }
  if (a.simulate && a.inventory) throw new UsageError('--simulate and --inventory exclude each other: a simulated fleet has no real hosts');
  return a;
}
