// Commands for FreeBSD's kernel CARP (also the live part on pfSense and OPNsense): ifconfig on the
// parent for a vhid and its VIPs, sysctl for demotion/preempt/allow/log, and sysrc for the
// ifconfig_<if>_alias<n> lines of /etc/rc.conf (run at boot by libexec/rc/network.subr as
// `eval … ifconfig <if> <value> alias`, so values must be shell-safe). On pfSense and OPNsense the interfaces belong to
// config.xml, so persisting is refused (freebsdRefusePersist) and live changes last only until the
// firewall reconfigures the interface.
import type { KernelSystem } from './detect.js';
import { arg, command, secret, type KernelCommand } from './command.js';
import { KernelCommandError } from './errors.js';
import { checkAddress, checkAdvskew, checkCidr, checkFreebsdAdvbase, checkFreebsdIf, checkPassword, checkPersistablePassword, checkVhid } from './validate.js';

export interface FreebsdVhidParams {
  /** The parent interface: em0. */
  parent: string;
  vhid: number;
  advbase: number;
  advskew: number;
  /** '' for none. */
  password: string;
}

function checkParams(p: FreebsdVhidParams, persist: boolean): void {
  checkFreebsdIf(p.parent);
  checkVhid(p.vhid);
  checkFreebsdAdvbase(p.advbase);
  checkAdvskew(p.advskew);
  if (persist) {
    checkPersistablePassword(p.password, '/etc/rc.conf');
    // network.subr's ifalias_af_common splits an alias value into commands at these words.
    if (['inet', 'inet6', 'link', 'ether'].includes(p.password))
      throw new KernelCommandError('the password is one of the words rc.d splits ifconfig_<if>_alias values at (inet, inet6, link, ether); choose another');
  } else checkPassword(p.password);
}

/** The carp words of an ifconfig line; FreeBSD's ifconfig wants vhid before advbase/advskew/pass. */
function carpWords(p: FreebsdVhidParams) {
  return ['vhid', String(p.vhid), 'advbase', String(p.advbase), 'advskew', String(p.advskew), ...(p.password ? ['pass', secret(p.password)] : [])];
}

/**
 * Adds a VIP to a vhid (creating the vhid with these parameters when it is new):
 * `ifconfig em0 inet A/len vhid V advbase B advskew S pass X alias`.
 */
export function freebsdAddVip(p: FreebsdVhidParams, cidr: string): KernelCommand {
  checkParams(p, false);
  checkCidr(cidr);
  return command(`add ${cidr} with vhid ${p.vhid} to ${p.parent}`, ['ifconfig', p.parent, 'inet', cidr, ...carpWords(p), 'alias']);
}

/** Removes a VIP: `ifconfig em0 inet A -alias` (the vhid goes away with its last address). */
export function freebsdRemoveVip(parent: string, address: string): KernelCommand {
  checkFreebsdIf(parent);
  return command(`remove ${address} from ${parent}`, ['ifconfig', parent, 'inet', checkAddress(address.split('/')[0]), '-alias']);
}

/** Changes an existing vhid's advbase/advskew/password: `ifconfig em0 vhid V advbase B advskew S pass X`. */
export function freebsdSetVhid(p: FreebsdVhidParams): KernelCommand {
  checkParams(p, false);
  return command(`set vhid ${p.vhid} on ${p.parent} to advbase ${p.advbase}, advskew ${p.advskew}`, ['ifconfig', p.parent, ...carpWords(p)]);
}

/**
 * Creates or changes a vhid with its VIPs, live, given the VIPs it has now (`current`): the
 * parameters when the vhid exists, the VIPs to add, then the VIPs to drop (in that order, so the vhid
 * never loses its last address on the way: FreeBSD removes a vhid with its last address).
 */
export function freebsdApplyVhid(p: FreebsdVhidParams, addresses: string[], current: string[] = []): KernelCommand[] {
  checkParams(p, false);
  if (addresses.length === 0) throw new KernelCommandError(`vhid ${p.vhid} needs at least one address (VIP)`);
  const want = addresses.map((a) => checkCidr(a));
  const have = current.map((a) => a.split('/')[0]);
  const out: KernelCommand[] = [];
  if (have.length) out.push(freebsdSetVhid(p));
  for (const w of want) if (!have.includes(w.address)) out.push(freebsdAddVip(p, w.cidr));
  for (const h of have) if (!want.some((w) => w.address === h)) out.push(freebsdRemoveVip(p.parent, h));
  return out;
}

/**
 * net.inet.carp.demotion is an ADJUSTMENT, not a value: ip_carp.c's sysctl handler reads the number
 * written and adds it to the current demotion (carp_demote_adj), so writing 240 twice gives 480, and
 * undoing needs the negative. The kernel also adds ifdown_demotion_factor (240) per vhid whose parent
 * goes down and senderr_demotion_factor (240) after send errors, and takes them back on recovery;
 * every MASTER advertises at once after a change. The advertised advskew is advskew + demotion,
 * capped at 240. Use freebsdDemotionDelta to reach a target value from the value just read.
 */
export function freebsdAdjustDemotion(delta: number): KernelCommand {
  if (!Number.isInteger(delta) || delta === 0 || Math.abs(delta) > 1_000_000)
    throw new KernelCommandError(`demotion adjustment ${String(delta)} is not allowed: a non-zero integer (it is added to net.inet.carp.demotion)`);
  return command(`${delta > 0 ? 'raise' : 'lower'} net.inet.carp.demotion by ${Math.abs(delta)}`, ['sysctl', `net.inet.carp.demotion=${delta}`]);
}

/** The adjustment that takes net.inet.carp.demotion from `current` (as just read) to `target`; 0: nothing to do. */
export function freebsdDemotionDelta(current: number, target: number): number {
  if (!Number.isInteger(current) || !Number.isInteger(target)) throw new KernelCommandError('demotion values must be integers');
  return target - current;
}

function sysctl(name: 'preempt' | 'allow' | 'log', value: number, summary: string): KernelCommand {
  return command(summary, ['sysctl', `net.inet.carp.${name}=${value}`]);
}

export const freebsdSetPreempt = (on: boolean) => sysctl('preempt', on ? 1 : 0, `turn preempt ${on ? 'on' : 'off'}`);
export const freebsdSetAllow = (on: boolean) => sysctl('allow', on ? 1 : 0, `turn carp allow ${on ? 'on' : 'off'}`);

/** net.inet.carp.log: 0 nothing, 1 state changes and errors (default), 2 also debug messages. */
export function freebsdSetLog(level: number): KernelCommand {
  if (!Number.isInteger(level) || level < 0 || level > 2) throw new KernelCommandError(`log level ${String(level)} is not allowed: FreeBSD carp logs at 0 (off), 1 (info) or 2 (debug)`);
  return sysctl('log', level, `set carp log level to ${level}`);
}

/** The rc.conf variable of a parent's alias n: ifconfig_em0_alias0 (rc.d maps . - / + in the name to _). */
export function freebsdAliasVar(parent: string, index: number): string {
  checkFreebsdIf(parent);
  if (!Number.isInteger(index) || index < 0 || index > 9999) throw new KernelCommandError(`alias index ${String(index)} is not allowed: 0..9999`);
  return `ifconfig_${parent.replace(/[.\-/+]/g, '_')}_alias${index}`;
}

/**
 * The first free alias index of a parent, given the rc.conf variable names already set (from `sysrc -a`
 * or `sysrc -e`): the lowest n without ifconfig_<if>_alias<n>, so the numbers stay without gaps
 * (older rc.d stops at the first missing number).
 */
export function freebsdNextAliasIndex(parent: string, setNames: string[]): number {
  const prefix = freebsdAliasVar(parent, 0).slice(0, -1);
  const used = new Set(setNames.filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length))).map((n) => Number(n.slice(prefix.length))));
  let i = 0;
  while (used.has(i)) i++;
  return i;
}

/**
 * Refuses to persist on pfSense and OPNsense: their config.xml owns the interfaces and CARP VIPs and
 * rewrites the runtime configuration from it, so rc.conf lines would be ignored or fight it.
 */
export function freebsdRefusePersist(system: KernelSystem): void {
  if (system.kind === 'pfsense' || system.kind === 'opnsense') {
    const where = system.kind === 'pfsense' ? 'pfSense (Firewall > Virtual IPs)' : 'OPNsense (Interfaces > Virtual IPs > Settings)';
    throw new KernelCommandError(
      `${system.label}: not written. ${system.kind === 'pfsense' ? 'pfSense' : 'OPNsense'} keeps its interfaces and CARP VIPs in /conf/config.xml, which owns them; make the change in ${where} or its config sync. Live changes made here last only until it reconfigures the interface.`,
    );
  }
  if (system.kind !== 'freebsd') throw new KernelCommandError(`${system.label}: rc.conf aliases are FreeBSD's; this host is ${system.kind}`);
}

/**
 * Persists one VIP of a vhid in /etc/rc.conf the FreeBSD way:
 * `sysrc ifconfig_em0_alias0="inet A/len vhid V advbase B advskew S pass X"` (rc.d runs
 * `ifconfig em0 <value> alias` at boot). Refused on pfSense and OPNsense (freebsdRefusePersist).
 */
export function freebsdPersistVip(system: KernelSystem, p: FreebsdVhidParams, cidr: string, index: number): KernelCommand {
  freebsdRefusePersist(system);
  checkParams(p, true);
  checkCidr(cidr);
  const name = freebsdAliasVar(p.parent, index);
  const value = arg(
    `${name}=inet ${cidr} vhid ${p.vhid} advbase ${p.advbase} advskew ${p.advskew}`,
    ...(p.password ? [' pass ', secret(p.password)] : []),
  );
  return command(`persist ${cidr} (vhid ${p.vhid}) as ${name} in /etc/rc.conf`, ['sysrc', value]);
}

/** Removes a persisted alias: `sysrc -x ifconfig_em0_aliasN`. Refused on pfSense and OPNsense. */
export function freebsdUnpersistVip(system: KernelSystem, parent: string, index: number): KernelCommand {
  freebsdRefusePersist(system);
  const name = freebsdAliasVar(parent, index);
  return command(`remove ${name} from /etc/rc.conf`, ['sysrc', '-x', name]);
}

/**
 * What maintenance on pfSense/OPNsense means here: the console raises net.inet.carp.demotion, which
 * is lost at reboot; the firewall's own "persistent CARP maintenance mode" is a separate setting in
 * its config.xml and is not changed.
 */
export function maintenanceNote(system: KernelSystem): string | null {
  if (system.kind !== 'pfsense' && system.kind !== 'opnsense') return null;
  const product = system.kind === 'pfsense' ? 'pfSense' : 'OPNsense';
  return `${product}: maintenance raises net.inet.carp.demotion (lost at reboot); ${product}'s own "persistent CARP maintenance mode" is a separate setting and is not changed.`;
}
