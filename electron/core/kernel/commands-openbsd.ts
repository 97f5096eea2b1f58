// Commands for OpenBSD's kernel CARP, as its own tools do it: ifconfig carpN for a vhid and its
// VIPs, ifconfig -g carp [-]carpdemote N for the carp group's demotion counter, sysctl for
// preempt/allow/log, and the /etc/hostname.carpN file (hostname.if(5), read by /etc/netstart) written
// atomically with the previous file kept as hostname.carpN.bak (netstart only reads names that are
// letters+digits, so the .bak is never started). Every builder validates its input first.
import { arg, command, secret, type KernelCommand } from './command.js';
import {
  checkAddress,
  checkAdvskew,
  checkCidr,
  checkDemoteCount,
  checkOpenbsdAdvbase,
  checkOpenbsdCarpIf,
  checkOpenbsdIf,
  checkPassword,
  checkPersistablePassword,
  checkVhid,
} from './validate.js';
import { KernelCommandError } from './errors.js';

export interface OpenbsdVhidSpec {
  /** The carp interface: carp1 (created by the first ifconfig if it does not exist). */
  carpIf: string;
  vhid: number;
  /** The parent interface: em0. */
  carpdev: string;
  /** '' for none (clears a key that was set). */
  password: string;
  advbase: number;
  advskew: number;
  /** VIPs with prefix length: "198.51.100.1/24". */
  addresses: string[];
}

function checkSpec(s: OpenbsdVhidSpec, persist: boolean): void {
  checkOpenbsdCarpIf(s.carpIf);
  checkVhid(s.vhid);
  checkOpenbsdIf(s.carpdev);
  checkAdvskew(s.advskew);
  checkOpenbsdAdvbase(s.advbase, s.advskew);
  if (persist) checkPersistablePassword(s.password, `/etc/hostname.${s.carpIf}`);
  else checkPassword(s.password);
  if (s.addresses.length === 0) throw new KernelCommandError(`${s.carpIf} needs at least one address (VIP)`);
  const seen = new Set<string>();
  for (const a of s.addresses) {
    const { address } = checkCidr(a);
    if (seen.has(address)) throw new KernelCommandError(`${a}: address listed twice`);
    seen.add(address);
  }
}

/**
 * Creates or changes a vhid on carpN, live, given the VIPs carpN has now (`current`): the carp
 * parameters in one ifconfig (which creates carpN when missing), the VIPs to add (`inet A/len alias`),
 * the VIPs to drop (`inet A delete`; after the adds, so carpN keeps an address throughout), and `up`.
 */
export function openbsdApplyVhid(spec: OpenbsdVhidSpec, current: string[] = []): KernelCommand[] {
  checkSpec(spec, false);
  const i = spec.carpIf;
  const have = current.map((a) => checkAddress(a.split('/')[0]));
  const want = spec.addresses.map((a) => a.split('/')[0]);
  const out = [
    command(`set ${i} to vhid ${spec.vhid} on ${spec.carpdev}, advbase ${spec.advbase}, advskew ${spec.advskew}`, [
      'ifconfig', i, 'vhid', String(spec.vhid), 'carpdev', spec.carpdev, 'pass', secret(spec.password), 'advbase', String(spec.advbase), 'advskew', String(spec.advskew),
    ]),
  ];
  for (const a of spec.addresses) if (!have.includes(a.split('/')[0])) out.push(command(`add ${a} to ${i}`, ['ifconfig', i, 'inet', a, 'alias']));
  for (const h of have) if (!want.includes(h)) out.push(command(`remove ${h} from ${i}`, ['ifconfig', i, 'inet', h, 'delete']));
  out.push(command(`bring ${i} up`, ['ifconfig', i, 'up']));
  return out;
}

/** advskew of a single-vhid carp interface (carpnodes interfaces take `carpnodes vhid:advskew,…` instead). */
export function openbsdSetAdvskew(carpIf: string, advskew: number): KernelCommand {
  checkOpenbsdCarpIf(carpIf);
  checkAdvskew(advskew);
  return command(`set advskew of ${carpIf} to ${advskew}`, ['ifconfig', carpIf, 'advskew', String(advskew)]);
}

/** advbase of a carp interface; `advskew` is its current advskew (advbase 0 needs advskew ≥ 1). */
export function openbsdSetAdvbase(carpIf: string, advbase: number, advskew: number): KernelCommand {
  checkOpenbsdCarpIf(carpIf);
  checkOpenbsdAdvbase(advbase, advskew);
  return command(`set advbase of ${carpIf} to ${advbase}`, ['ifconfig', carpIf, 'advbase', String(advbase)]);
}

/**
 * Raises the demotion counter of an interface group (default "carp", which every carp interface is
 * in) by `count` (1..128 per call; the kernel refuses a result above 255). Every carp interface in
 * the group advertises the sum of its groups' counters; a backup with a lower demote takes over.
 */
export function openbsdDemote(count: number, group = 'carp'): KernelCommand {
  checkDemoteCount(count);
  checkGroup(group);
  return command(`raise the ${group} group's demotion counter by ${count}`, ['ifconfig', '-g', group, 'carpdemote', String(count)]);
}

/** Lowers the group's demotion counter by `count` (the kernel refuses going below 0). */
export function openbsdUndemote(count: number, group = 'carp'): KernelCommand {
  checkDemoteCount(count);
  checkGroup(group);
  return command(`lower the ${group} group's demotion counter by ${count}`, ['ifconfig', '-g', group, '-carpdemote', String(count)]);
}

function checkGroup(group: string): void {
  // ifconfig.c setifgroup: group names may not end in a digit (that would be an interface).
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,14}$/.test(group) || /\d$/.test(group)) throw new KernelCommandError(`"${group}" is not an interface group name (letters, digits, _; not ending in a digit)`);
}

function sysctl(name: 'preempt' | 'allow' | 'log', value: number, summary: string): KernelCommand {
  return command(summary, ['sysctl', `net.inet.carp.${name}=${value}`]);
}

export const openbsdSetPreempt = (on: boolean) => sysctl('preempt', on ? 1 : 0, `turn preempt ${on ? 'on' : 'off'}`);
export const openbsdSetAllow = (on: boolean) => sysctl('allow', on ? 1 : 0, `turn carp allow ${on ? 'on' : 'off'}`);

/** net.inet.carp.log: the syslog priority up to which carp logs (0..7, default 2 = LOG_CRIT). */
export function openbsdSetLog(level: number): KernelCommand {
  if (!Number.isInteger(level) || level < 0 || level > 7) throw new KernelCommandError(`log level ${String(level)} is not allowed: must be 0..7 (a syslog priority)`);
  return sysctl('log', level, `set carp log level to ${level}`);
}

/**
 * /etc/hostname.carpN for a vhid (hostname.if(5)): a comment, the carp line, the first VIP, the other
 * VIPs as `inet alias`, and `up`. netstart runs each line as `ifconfig carpN <line>` through eval, so
 * the password must be shell-safe (checkPersistablePassword). Returns the content and its redacted form.
 */
export function openbsdHostnameFile(spec: OpenbsdVhidSpec): { value: string; shown: string } {
  checkSpec(spec, true);
  const carpLine = [
    `vhid ${spec.vhid} carpdev ${spec.carpdev}`,
    ...(spec.password ? [' pass ', secret(spec.password)] : []),
    ` advbase ${spec.advbase} advskew ${spec.advskew}`,
  ];
  const [first, ...rest] = spec.addresses;
  return arg(
    `# ${spec.carpIf}: vhid ${spec.vhid} on ${spec.carpdev}, written by carp-console (previous file: hostname.${spec.carpIf}.bak)\n`,
    ...carpLine,
    '\n',
    `inet ${first}\n`,
    ...rest.map((a) => `inet alias ${a}\n`),
    'up\n',
  );
}

/**
 * Writes /etc/hostname.carpN atomically: the content goes to a temporary file in /etc (stdin), gets
 * netstart's required owner and mode (root:wheel 0640; netstart "fixes" anything readable by others),
 * the old file is kept as hostname.carpN.bak (a hard link, so the swap stays atomic), and mv renames
 * the new file into place. The path is $1 of a fixed script: nothing from the input is in the script.
 */
export function openbsdPersistVhid(spec: OpenbsdVhidSpec): KernelCommand {
  const file = openbsdHostnameFile(spec);
  return command(`write /etc/hostname.${spec.carpIf} (old file kept as /etc/hostname.${spec.carpIf}.bak)`, ['sh', '-c', ATOMIC_WRITE, 'carp-console-write', `/etc/hostname.${spec.carpIf}`], file);
}

/** The atomic write: stdin → "$1.carp-console.PID" → chmod/chown → link the old file to "$1.bak" → mv over "$1". */
export const ATOMIC_WRITE = [
  'set -e',
  'f="$1"; t="$f.carp-console.$$"',
  'trap \'rm -f "$t"\' EXIT',
  'umask 077',
  'cat > "$t"',
  'chown root:wheel "$t"',
  'chmod 0640 "$t"',
  'if [ -e "$f" ]; then ln -f "$f" "$f.bak"; fi',
  'mv -f "$t" "$f"',
].join('; ');
