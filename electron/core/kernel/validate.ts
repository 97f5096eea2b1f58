// Input checks of the kernel-CARP command builders: each returns the value or throws a
// KernelCommandError that names the input, the allowed range and why (the tool's own limit).
import { advbaseProblem, MAX_PASSWORD_BYTES } from '../../../agent/config/schema.js';
import { KernelCommandError } from './errors.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function int(what: string, v: number, min: number, max: number, why: string): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new KernelCommandError(`${what} ${String(v)} is not allowed: must be ${min}..${max} (${why})`);
  return v;
}

export const checkVhid = (v: number) => int('vhid', v, 1, 255, 'carp(4) virtual host id');
export const checkAdvskew = (v: number) => int('advskew', v, 0, 254, '255 is reserved for the bow-out advert; ifconfig refuses it');

/** OpenBSD ifconfig takes advbase 0..254; 0 (sub-second adverts) needs advskew 1..254. */
export function checkOpenbsdAdvbase(advbase: number, advskew: number): number {
  int('advbase', advbase, 0, 254, 'OpenBSD ifconfig accepts 0..254');
  const problem = advbaseProblem(advbase, advskew);
  if (problem) throw new KernelCommandError(problem);
  return advbase;
}

export const checkFreebsdAdvbase = (v: number) => int('advbase', v, 1, 255, 'FreeBSD carp(4) refuses 0');
export const checkDemoteCount = (v: number) => int('carpdemote count', v, 1, 128, 'OpenBSD ifconfig -g … carpdemote takes 1..128 per call');

/** OpenBSD carp interface: carp0, carp1, … */
export function checkOpenbsdCarpIf(name: string): string {
  if (!/^carp\d{1,4}$/.test(name)) throw new KernelCommandError(`"${name}" is not an OpenBSD carp interface name such as carp1`);
  return name;
}

/** OpenBSD interface names are a driver name and a unit: em0, vlan10, aggr0 (at most 15 characters). */
export function checkOpenbsdIf(name: string): string {
  if (!/^[a-z]+\d+$/.test(name) || name.length > 15) throw new KernelCommandError(`"${name}" is not an OpenBSD interface name such as em0 or vlan10`);
  return name;
}

/** FreeBSD interface names: letters, digits, _ and . (vlans: em0.100), at most 15 characters. */
export function checkFreebsdIf(name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_.]{0,14}$/.test(name)) throw new KernelCommandError(`"${name}" is not a FreeBSD interface name such as em0, igb1 or em0.100`);
  return name;
}

/** A VIP with its prefix length, as both ifconfigs take it: "198.51.100.1/24". */
export function checkCidr(cidr: string): { address: string; prefixLen: number; cidr: string } {
  const [address, len, ...rest] = cidr.split('/');
  if (rest.length || !IPV4.test(address ?? '') || !/^\d{1,2}$/.test(len ?? '') || Number(len) < 1 || Number(len) > 32)
    throw new KernelCommandError(`"${cidr}" is not an IPv4 address with prefix length such as 198.51.100.1/24 (the prefix is required: BSD ifconfig would guess a classful mask)`);
  return { address, prefixLen: Number(len), cidr };
}

export function checkAddress(address: string): string {
  if (!IPV4.test(address)) throw new KernelCommandError(`"${address}" is not an IPv4 address such as 198.51.100.1`);
  return address;
}

function passwordBytes(p: string): number {
  return new TextEncoder().encode(p).length;
}

/** A password for a live ifconfig command (passed as one quoted argument): at most 19 bytes, no control characters. */
export function checkPassword(p: string): string {
  if (passwordBytes(p) > MAX_PASSWORD_BYTES) throw new KernelCommandError(`the password is longer than ${MAX_PASSWORD_BYTES} bytes: carp(4) would silently cut it; use at most ${MAX_PASSWORD_BYTES}`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(p)) throw new KernelCommandError('the password contains a control character, which ifconfig cannot take');
  return p;
}

/**
 * Characters a password may have to be written into /etc/hostname.carpN (whose lines netstart runs
 * through ksh eval) or /etc/rc.conf (sourced by sh, split into words by rc.d): no quotes, spaces, $,
 * backslashes, globs, braces, tilde, ; & | < > # or !, which those shells would interpret.
 */
export const PERSISTABLE_PASSWORD = /^[A-Za-z0-9%+,./:=@_-]*$/;

export function checkPersistablePassword(p: string, file: string): string {
  checkPassword(p);
  // The message does not say which character: errors are logged, and the password must not be.
  if (!PERSISTABLE_PASSWORD.test(p))
    throw new KernelCommandError(
      `the password has a character ${file} cannot hold safely (its lines are run by the shell: quotes, spaces, $ \\ \` ; & | < > ( ) { } [ ] * ? ~ # ! and non-ASCII are out); use letters, digits and % + , . / : = @ _ - only`,
    );
  return p;
}
