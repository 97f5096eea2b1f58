// Parser for `netstat -s -p carp`: the "carp:" title and one "\t[\t]N text" line per counter, in the
// formats of usr.bin/netstat/inet.c carp_stats() of OpenBSD (printf, "%llu packet%s received (IPv4)")
// and FreeBSD (libxo, same texts; no "bad interface" or "transitions to master" lines, and "bad vhid"
// where OpenBSD says "unknown vhid"). With -s every counter is printed, zeros too; with -ss zero
// counters are left out and stay absent here.
import { KernelParseError, outputLines } from './errors.js';

/** struct carpstats fields (netinet/ip_carp.h) without the carps_ prefix. */
export interface CarpCounters {
  ipackets?: number;
  ipackets6?: number;
  badif?: number;
  badttl?: number;
  hdrops?: number;
  badsum?: number;
  badver?: number;
  badlen?: number;
  badauth?: number;
  badvhid?: number;
  badaddrs?: number;
  opackets?: number;
  opackets6?: number;
  onomem?: number;
  /** OpenBSD: transitions to MASTER ("transitions to master"). */
  preempt?: number;
}

// Texts after the number; "s?" where printf adds a plural "s" (plural(): "s" unless the count is 1).
const TEXTS: [RegExp, keyof CarpCounters][] = [
  [/^packets? received \(IPv4\)$/, 'ipackets'],
  [/^packets? received \(IPv6\)$/, 'ipackets6'],
  [/^packets? discarded for bad interface$/, 'badif'],
  [/^packets? discarded for wrong TTL$/, 'badttl'],
  [/^packets? shorter than header$/, 'hdrops'],
  [/^discarded for bad checksums?$/, 'badsum'],
  [/^discarded packets? with a bad version$/, 'badver'],
  [/^discarded because packet too short$/, 'badlen'],
  [/^discarded for bad authentication$/, 'badauth'],
  [/^discarded for (?:unknown|bad) vhid$/, 'badvhid'],
  [/^discarded because of a bad address list$/, 'badaddrs'],
  [/^packets? sent \(IPv4\)$/, 'opackets'],
  [/^packets? sent \(IPv6\)$/, 'opackets6'],
  [/^send failed due to mbuf memory error$/, 'onomem'],
  [/^transitions? to master$/, 'preempt'],
];

/** Parses `netstat -s -p carp`; throws KernelParseError naming a line it does not know. */
export function parseCarpNetstat(text: string): CarpCounters {
  const tool = 'netstat -s -p carp';
  const lines = outputLines(tool, text);
  if (lines[0] !== 'carp:') throw new KernelParseError(tool, 'expected the title line "carp:"', 1, lines[0]);
  const out: CarpCounters = {};
  lines.slice(1).forEach((line, i) => {
    const m = /^\t\t?(\d{1,20}) (.+)$/.exec(line);
    const hit = m && TEXTS.find(([re]) => re.test(m[2]));
    if (!m || !hit) throw new KernelParseError(tool, 'not a carp counter line of a known form ("\\tN packets received (IPv4)", …)', i + 2, line);
    if (out[hit[1]] !== undefined) throw new KernelParseError(tool, `counter ${hit[1]} listed twice`, i + 2, line);
    const n = Number(m[1]);
    if (!Number.isSafeInteger(n)) throw new KernelParseError(tool, 'counter larger than 2^53: cannot be kept exactly', i + 2, line);
    out[hit[1]] = n;
  });
  return out;
}
