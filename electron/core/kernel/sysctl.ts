// Parser for `sysctl net.inet.carp` on both systems: OpenBSD prints "net.inet.carp.allow=1"
// (sbin/sysctl/sysctl.c, `equ` "="), FreeBSD prints "net.inet.carp.allow: 1" (sbin/sysctl/sysctl.c
// show_var(), sep ": "; opaque values such as stats are skipped). Names: OpenBSD allow, preempt, log
// (netinet/ip_carp.h CARPCTL_NAMES; "stats" is a struct, not printed as a value); FreeBSD allow,
// preempt, log, demotion, ifdown_demotion_factor, senderr_demotion_factor and, on newer releases,
// dscp (sys/netinet/ip_carp.c).
import { KernelParseError, intToken, outputLines } from './errors.js';

export type SysctlFlavour = 'openbsd' | 'freebsd';

export interface CarpSysctl {
  allow: boolean;
  preempt: boolean;
  /** OpenBSD: syslog priority 0..7 (default 2, LOG_CRIT); FreeBSD: 0 off, 1 info, 2 debug (default 1). */
  log: number;
  /** FreeBSD only: the global demotion added to every vhid's advertised advskew (capped to 240). */
  demotion?: number;
  ifdownDemotionFactor?: number;
  senderrDemotionFactor?: number;
  dscp?: number;
  /** Lines with other names under net.inet.carp, kept as printed. */
  other: Record<string, string>;
}

const KEYS: Record<string, keyof CarpSysctl> = {
  allow: 'allow',
  preempt: 'preempt',
  log: 'log',
  demotion: 'demotion',
  ifdown_demotion_factor: 'ifdownDemotionFactor',
  senderr_demotion_factor: 'senderrDemotionFactor',
  dscp: 'dscp',
};

/** Parses `sysctl net.inet.carp`; throws KernelParseError naming the line, or the setting that is missing. */
export function parseCarpSysctl(text: string, flavour: SysctlFlavour): CarpSysctl {
  const tool = `${flavour === 'openbsd' ? 'OpenBSD' : 'FreeBSD'} sysctl net.inet.carp`;
  const sep = flavour === 'openbsd' ? '=' : ': ';
  const seen: Record<string, number> = {};
  const other: Record<string, string> = {};
  outputLines(tool, text).forEach((line, i) => {
    const at = line.indexOf(sep);
    const name = at > 0 ? line.slice(0, at) : '';
    if (!/^net\.inet\.carp\.[a-z0-9_]+$/.test(name))
      throw new KernelParseError(tool, `expected "net.inet.carp.NAME${sep}VALUE"${flavour === 'openbsd' ? ' (OpenBSD style)' : ' (FreeBSD style)'}`, i + 1, line);
    const key = name.slice('net.inet.carp.'.length);
    const raw = line.slice(at + sep.length);
    if (key in seen || key in other) throw new KernelParseError(tool, `${name} listed twice`, i + 1, line);
    if (KEYS[key]) {
      const v = intToken(raw);
      if (v === undefined) throw new KernelParseError(tool, `${name} is not an integer`, i + 1, line);
      seen[key] = v;
    } else other[key] = raw;
  });
  const required = flavour === 'openbsd' ? ['allow', 'preempt', 'log'] : ['allow', 'preempt', 'log', 'demotion'];
  const missing = required.filter((k) => !(k in seen));
  if (missing.length) throw new KernelParseError(tool, `no ${missing.map((k) => `net.inet.carp.${k}`).join(', ')} line: output cut off, or not the carp node`);
  return {
    allow: seen.allow !== 0,
    preempt: seen.preempt !== 0,
    log: seen.log,
    demotion: seen.demotion,
    ifdownDemotionFactor: seen.ifdown_demotion_factor,
    senderrDemotionFactor: seen.senderr_demotion_factor,
    dscp: seen.dscp,
    other,
  };
}
