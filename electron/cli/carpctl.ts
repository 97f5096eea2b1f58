// carpctl: the console core as a command line (hosts, status, deploy, group apply/delete, set,
// demote, maintenance, events), --json everywhere; exit 0 ok, 1 refused/failed (an invalid file too: its
// problems alone), 2 usage (the usage text is printed only then), 3 unreachable.
import { resolve } from 'node:path';
import { defaultInventoryPath } from '../core/inventory/index.js';
import { InventoryOps, fileStore } from '../core/inventory/ops.js';
import { openConsole } from '../core/open.js';
import { describeHostTrust, filesForHost } from '../core/ssh/index.js';
import type { Console } from '../core/console.js';
import { ApiError } from '../core/api.js';
import { SpecError } from '../core/commands/group-spec.js';
import type { GroupFile } from '../core/commands/balanced-spec.js';
import { readGroupFile } from '../core/commands/group-file.js';
import type { ConsoleEvent } from '../core/events.js';
import { USAGE, UsageError, parseArgs, int, type Args } from './args.js';
import { formatApply, formatEvent, formatHosts, formatMaintenance, formatStatus } from './format.js';
import type { DeployHostResult } from '../core/api.js';
import { fileURLToPath } from 'node:url';
import { describeAllow } from '../../agent/cli/format.js';
import type { AllowStatus } from '../../agent/control/messages.js';

const out = (s: string) => process.stdout.write(`${s}\n`);
const json = (v: unknown) => out(JSON.stringify(v, null, 2));

function openFromArgs(args: Args): { c: Console; trust: (host: string) => string; close(): void } {
  let opened;
  try {
    opened = openConsole({ ...(args.inventory ? { inventory: args.inventory } : {}), noPathLink: args.flags.has('--no-path-link') });
  } catch (e) {
    // A file that cannot be read or is invalid is a refusal (exit 1, its problems alone), not a usage error.
    throw new Error((e as Error).message);
  }
  if (!opened.inventory.hosts.length) {
    opened.close();
    throw new UsageError(`the inventory has no hosts (${opened.source}); pass --inventory FILE`);
  }
  const { pool, console: c } = opened;
  // Where each host's key trust comes from (the known_hosts line, or unknown), for `hosts`.
  const trust = (name: string) => {
    const t = pool.peek(name);
    if (!t) return 'unknown';
    const refused = c.fleetNow().hosts.find((h) => h.host === name)?.hostKey;
    return describeHostTrust(t.host, filesForHost(t.host, t.options.knownHostsFiles), t.trust, refused);
  };
  return { c, trust, close: () => opened.close() };
}

/** Waits until every host has reported, and a little longer for hosts still connecting to go live. */
async function settle(c: Console, ms = 8000): Promise<void> {
  await c.ready(ms);
  const end = Date.now() + 3000;
  while (Date.now() < end && c.fleetNow().hosts.some((h) => h.status === 'unreachable' && !h.error)) await new Promise((r) => setTimeout(r, 100));
}

function unreachableCode(c: Console, hosts?: string[]): number {
  return c.fleetNow().hosts.some((h) => (!hosts || hosts.includes(h.host)) && h.status !== 'live') ? 3 : 0;
}

async function run(args: Args): Promise<number> {
  const [cmd, sub, ...rest] = args.words;
  if (!cmd || args.flags.has('--help') || args.flags.has('-h')) {
    out(USAGE);
    return cmd ? 0 : 2;
  }
  const known = ['hosts', 'import', 'status', 'deploy', 'group', 'set', 'demote', 'maintenance', 'events', 'trust', 'allow'];
  if (!known.includes(cmd)) throw new UsageError(`unknown command ${cmd}`);
  if (cmd === 'import') return importHosts(sub, args);
  // Validate arguments before connecting anywhere.
  let spec: GroupFile | undefined;
  if (cmd === 'group') {
    if (sub === 'apply') {
      if (!rest[0]) throw new UsageError('group apply needs a FILE');
      try {
        spec = readGroupFile(rest[0]);
      } catch (e) {
        if (e instanceof SpecError) throw new Error(e.message);
        throw new Error(`cannot read ${rest[0]}: ${(e as Error).message}`);
      }
    } else if (sub === 'delete') int(rest[0], 'VHID');
    else throw new UsageError('group needs apply FILE or delete VHID');
  }
  const setLog = cmd === 'set' && args.words.length === 4 && args.words[2] === 'log';
  if (setLog) {
    const n = int(args.words[3], 'log');
    if (n < 0 || n > 7) throw new UsageError(`log takes a syslog level 0..7 (2 = crit, the default: state changes; 7 = debug), got ${n}`);
  } else if (cmd === 'set' && (args.words.length !== 5 || !['advskew', 'advbase', 'preempt'].includes(args.words[3]))) throw new UsageError('set HOST VHID advskew|advbase|preempt VALUE, or set HOST log N');
  if (cmd === 'allow' && (args.words.length !== 3 || !['on', 'off'].includes(args.words[2]))) throw new UsageError('allow HOST on|off [--persist]');
  if (cmd === 'demote' && args.words.length !== 3) throw new UsageError('demote HOST N|+N|-N');
  if (cmd === 'maintenance' && (!['enter', 'exit'].includes(sub ?? '') || !rest[0])) throw new UsageError('maintenance enter|exit HOST');
  if (cmd === 'trust' && args.words.length !== 2) throw new UsageError('trust HOST [--fingerprint SHA256:…]');

  const opened = openFromArgs(args);
  const { c, trust: trustOf } = opened;
  const close = () => opened.close();
  try {
    if (cmd === 'trust') return await trust(c, sub, args);
    await settle(c);
    const f = c.fleetNow();
    switch (cmd) {
      case 'hosts':
        if (args.json) json(f.hosts.map((h) => ({ ...h, trust: trustOf(h.host) })));
        else out(formatHosts(f, trustOf));
        return unreachableCode(c);
      case 'status':
        if (args.json) json(f);
        else out(formatStatus(f));
        return unreachableCode(c) || (f.findings.some((x) => x.severity === 'error') ? 1 : 0);
      case 'deploy': {
        const hosts = args.words.slice(1);
        const off = args.json ? () => {} : c.subscribe((e) => e.type === 'deploy' && out(formatEvent(e)));
        const r = await c.deploy(hosts.length ? hosts : undefined, { parallel: args.flags.has('--parallel') });
        off();
        if (args.json) json(r);
        else out(formatDeploy(r));
        return r.every((h) => h.ok) ? 0 : 1;
      }
      case 'group': {
        const off = args.json ? () => {} : c.subscribe((e) => e.type === 'apply' && out(formatEvent(e)));
        const dryRun = args.flags.has('--dry-run');
        const r = sub === 'apply' ? await c.applyGroup(spec!, { dryRun }) : await c.deleteGroup(int(rest[0], 'VHID'), { segment: args.options.get('--segment'), dryRun });
        off();
        if (args.json) json(r);
        else out(formatApply(r));
        return r.ok ? 0 : r.phase === 'plan' && unreachableCode(c) ? 3 : 1;
      }
      case 'set': {
        if (setLog) {
          const [, host, , n] = args.words;
          const r = await c.setLog(host, int(n, 'log'));
          if (args.json) json(r);
          else out(`${host}: log ${n}`);
          return 0;
        }
        const [, host, vhid, key, value] = args.words;
        const v = key === 'preempt' ? ['true', 'on', 'yes', '1'].includes(value) : int(value, key);
        if (key === 'preempt' && !['true', 'false', 'on', 'off', 'yes', 'no', '1', '0'].includes(value)) throw new UsageError('preempt takes true or false');
        const r = await c.set(host, int(vhid, 'VHID'), key as 'advskew', v);
        if (args.json) json(r);
        else out(`${host}: vhid ${vhid} ${key} ${String(v)}`);
        return 0;
      }
      case 'allow': {
        const [, host, w] = args.words;
        const r = await c.allow(host, w === 'on', { persist: args.flags.has('--persist') });
        if (args.json) json(r);
        else out(`${host}: ${describeAllow(r.result as AllowStatus)}`);
        return 0;
      }
      case 'demote': {
        const [, host, n] = args.words;
        const op = /^[+-]/.test(n) ? 'add' : 'set';
        const r = await c.demote(host, op, int(n, 'N'));
        if (args.json) json(r);
        else out(`${host}: demote ${JSON.stringify(r.result)}`);
        return 0;
      }
      case 'maintenance': {
        const host = rest[0];
        if (sub === 'exit') {
          const r = await c.maintenanceExit(host);
          if (args.json) json(r);
          else out(`${host}: maintenance off`);
          return 0;
        }
        const off = args.json ? () => {} : c.subscribe((e) => e.type === 'maintenance' && out(formatEvent(e)));
        const reboot = args.flags.has('--reboot');
        const wait = args.flags.has('--wait');
        const r = await c.maintenanceEnter(host, { reboot, wait, force: args.flags.has('--force'), autoExit: reboot && wait && !args.flags.has('--stay') });
        off();
        if (args.json) json(r);
        else out(formatMaintenance(r));
        return r.ok ? 0 : r.preflight?.problem === 'not-live' ? 3 : 1;
      }
      case 'events': {
        const print = (e: ConsoleEvent) => (args.json ? out(JSON.stringify(e)) : out(formatEvent(e)));
        if (!args.flags.has('--follow')) {
          for (const h of f.hosts) print({ type: 'host', at: f.at, host: h.host, status: h.status, ...(h.error ? { error: h.error } : {}) });
          print({ type: 'fleet', at: f.at, fleet: f });
          return unreachableCode(c);
        }
        c.subscribe((e) => {
          if (e.type !== 'fleet' || args.json) print(e);
        });
        await new Promise<void>((res) => {
          process.once('SIGINT', res);
          process.once('SIGTERM', res);
        });
        return 0;
      }
    }
    return 2;
  } finally {
    close();
  }
}

/** One line per host, then which host runs which version (as their agents report it at the end). */
export function formatDeploy(r: DeployHostResult[]): string {
  const lines = r.map((h) => `${h.host}: ${h.kernel ? `no agent needed: ${h.kernel}` : h.ok ? `ok ${h.version ?? ''}`.trimEnd() : `${h.notAttempted ? 'NOT UPGRADED' : 'FAILED'}: ${h.error}`}`);
  const by = new Map<string, string[]>();
  for (const h of r.filter((x) => !x.kernel)) by.set(h.running ?? 'unknown', [...(by.get(h.running ?? 'unknown') ?? []), h.host]);
  if (r.length) lines.push(`versions: ${[...by].map(([v, hs]) => `${hs.join(', ')} ${v === 'unknown' ? 'unknown' : `${hs.length === 1 ? 'runs' : 'run'} ${v}`}`).join('; ')}`);
  return lines.join('\n');
}

/** carpctl import FILE: merges hosts from any inventory format into the stored inventory (no connection needed). */
function importHosts(file: string | undefined, args: Args): number {
  if (!file) throw new UsageError('import needs a FILE (ssh_config, Ansible INI/YAML, or the lab JSON)');
  const path = defaultInventoryPath();
  const store = fileStore(path);
  let r;
  try {
    r = new InventoryOps(store.read(), store, { changed: () => {} }).import(file.trimStart().startsWith('{') ? { text: file, name: 'lab.json' } : { path: file });
  } catch (e) {
    throw new Error((e as Error).message);
  }
  if (args.json) json({ path, added: r.added, updated: r.updated, unchanged: r.unchanged });
  else out(`${path}: added ${r.added.join(', ') || 'none'}; updated ${r.updated.join(', ') || 'none'}; ${r.hosts.length} host(s) in all`);
  return 0;
}

/** carpctl trust HOST [--fingerprint FP]: ssh's "continue connecting?" question, answered explicitly. */
async function trust(c: Console, host: string, args: Args): Promise<number> {
  const fp = args.options.get('--fingerprint');
  const v = await c.trustHostKey(host, fp);
  if (args.json) json(v);
  else if (v.status === 'known') out(`${host}: its host key is already known`);
  else if (v.status === 'trusted') out(`${host}: trusted ${v.keyType} ${v.fingerprint} (recorded in ${v.file})`);
  else
    out(
      `${host} presents ${v.keyType} ${v.fingerprint}.\nCompare it with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_${v.keyType.replace(/^ssh-/, '').replace(/^ecdsa-.*/, 'ecdsa')}_key.pub on its console); if it matches:\n  carpctl trust ${host} --fingerprint ${v.fingerprint}`,
    );
  return v.status === 'unknown' ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
  try {
    return await run(parseArgs(argv));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`carpctl: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof ApiError) {
      process.stderr.write(`carpctl: ${e.message}\n`);
      return e.code === 'unreachable' || e.code === 'timeout' ? 3 : e.code === 'unknown-host' || e.code === 'invalid' ? 2 : 1;
    }
    process.stderr.write(`carpctl: ${(e as Error).message}\n`);
    return 1;
  }
}

// Run directly (`tsx electron/cli/carpctl.ts`); bin/carpctl.js imports main() instead.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
