// carpctl's argument parsing: global flags, the subcommand words, and usage errors (exit code 2).

export const USAGE = `usage: carpctl [--inventory FILE] [--json] COMMAND
  hosts                                  hosts and their agents
  import FILE                            add hosts from an ssh_config, Ansible inventory or lab JSON to the stored inventory
  status                                 CARP groups, masters, successors, balanced addresses and shares, findings
  deploy [HOST...] [--parallel] [--no-path-link]
                                         install or upgrade the agent: hosts with groups one at a time
                                         (maintenance, handover, install, back in service, steady);
                                         --parallel restarts all at once (first installs), warning what it hits
  group apply FILE [--dry-run]           create or edit a group (JSON or YAML) on all its members, or a
                                         balanced set (\`balance\`: one vhid per host sharing the addresses, arpbalance)
  group delete VHID [--segment CIDR] [--dry-run]
  set HOST VHID advskew|advbase|preempt VALUE
  set HOST log N                         syslog level 0..7 of the host's CARP messages (net.inet.carp.log)
  demote HOST N|+N|-N
  allow HOST on|off [--persist]          take part in CARP or not (net.inet.carp.allow): off hands over where
                                         master, then stops; --persist keeps it off across agent restarts
  maintenance enter HOST [--reboot] [--wait] [--force] [--stay]
  maintenance exit HOST
  events [--follow]
  trust HOST [--fingerprint SHA256:…]    show a host's SSH key; with the fingerprint you confirmed, trust it
exit codes: 0 ok, 1 refused or failed, 2 usage, 3 unreachable`;

export class UsageError extends Error {}

export interface Args {
  inventory?: string;
  json: boolean;
  words: string[];
  flags: Set<string>;
  options: Map<string, string>;
}

const VALUE_OPTIONS = new Set(['--inventory', '--segment', '--fingerprint']);
const FLAGS = new Set(['--json', '--dry-run', '--reboot', '--wait', '--force', '--stay', '--follow', '--no-path-link', '--parallel', '--persist', '--help', '-h']);

export function parseArgs(argv: string[]): Args {
  const words: string[] = [];
  const flags = new Set<string>();
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (VALUE_OPTIONS.has(name)) {
      const v = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      options.set(name, v);
    } else if (FLAGS.has(a)) flags.add(a);
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else words.push(a);
  }
  return { inventory: options.get('--inventory'), json: flags.has('--json'), words, flags, options };
}

export function int(s: string | undefined, what: string): number {
  if (s === undefined || !/^[+-]?\d+$/.test(s)) throw new UsageError(`${what} must be a whole number, got ${s ?? 'nothing'}`);
  return Number(s);
}
