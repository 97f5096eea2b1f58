// Which known_hosts files vouch for a host, as ssh decides (UserKnownHostsFile, GlobalKnownHostsFile from
// ssh_config), plus the console's own file and the files the host's inventory import brought.
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { HostSpec } from '../transport.js';
import { sshConfigValue } from '../inventory/ssh-config.js';
import { consoleKnownHostsPath } from '../inventory/store.js';
import type { TrustEntry } from './known-hosts.js';

/** The files for one host, by where their trust comes from. New keys are only ever written to `write`. */
export interface KnownHostsFiles {
  /** The user's files (UserKnownHostsFile, default ~/.ssh/known_hosts ~/.ssh/known_hosts2) and the console's own. */
  user: string[];
  /** The system's (GlobalKnownHostsFile, default /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2): read, never written. */
  global: string[];
  /** Files that came with the import that brought this host (HostSpec.knownHostsFiles): for it alone. */
  inventory: string[];
  /** Where a key the operator confirms is recorded: the console's own known_hosts, a user file. */
  write: string;
}

export interface KnownHostsFilesOptions {
  home?: string;
  /** ssh client configs read for the two options, first value wins (default ~/.ssh/config, /etc/ssh/ssh_config). */
  sshConfigs?: { file: string; relDir: string }[];
  /** The console's own known_hosts (default $XDG_CONFIG_HOME/carp-console/known_hosts). */
  consoleFile?: string;
}

/** Splits a *KnownHostsFile value into paths: ~ and %d %u %% expanded; `none` means no file. */
function paths(args: string[], home: string): string[] {
  const user = userInfo().username;
  return args
    .filter((a) => a.toLowerCase() !== 'none')
    .map((a) => a.replace(/%([%du])/g, (_all, c: string) => (c === '%' ? '%' : c === 'd' ? home : user)))
    .map((a) => (a === '~' ? home : a.startsWith('~/') ? join(home, a.slice(2)) : a));
}

export function knownHostsFilesFor(host: HostSpec, o: KnownHostsFilesOptions = {}): KnownHostsFiles {
  const home = o.home ?? homedir();
  const configs = o.sshConfigs ?? [
    { file: join(home, '.ssh', 'config'), relDir: join(home, '.ssh') },
    { file: '/etc/ssh/ssh_config', relDir: '/etc/ssh' },
  ];
  const userSet = sshConfigValue(configs, host.name, 'UserKnownHostsFile', home);
  const globalSet = sshConfigValue(configs, host.name, 'GlobalKnownHostsFile', home);
  const write = o.consoleFile ?? consoleKnownHostsPath();
  const user = userSet ? paths(userSet, home) : [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2')];
  return {
    user: [...user, ...(user.includes(write) ? [] : [write])],
    global: globalSet ? paths(globalSet, home) : ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
    inventory: host.knownHostsFiles ?? [],
    write,
  };
}

/** Every file, in the order they are consulted: the user's, the system's, the inventory's. */
export function allKnownHostsFiles(k: KnownHostsFiles): string[] {
  return [...new Set([...k.user, ...k.global, ...k.inventory])];
}

/** Where a host's key trust comes from, for people: `~/.ssh/known_hosts:12`, `… (@cert-authority)`, `unknown`. */
export function describeTrust(t: TrustEntry | undefined, k: KnownHostsFiles, home: string = homedir()): string {
  if (!t) return 'unknown';
  const where = `${t.file.startsWith(home + '/') ? '~' + t.file.slice(home.length) : t.file}:${t.line}${t.marker ? ` (@${t.marker})` : ''}`;
  return k.inventory.includes(t.file) && !k.user.includes(t.file) && !k.global.includes(t.file) ? `inventory known_hosts ${where}` : where;
}
