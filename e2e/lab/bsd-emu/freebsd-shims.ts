// carp-console lab: emulated FreeBSD command surface (not a kernel): the sh programs mounted over a lab
// host's uname/ifconfig/sysctl/netstat/route (and sysrc, which Debian lacks, put in /usr/local/sbin). Reads
// print the files the emulation daemon renders; writes and anything unusual go to it through call.js.
import { shimHead, unameShim, SHIM_TARGETS } from './openbsd-shims.js';
import { FREEBSD_EMULATION } from './freebsd-kernel.js';

const HEAD = (tool: string, what: string) => shimHead(FREEBSD_EMULATION, tool, what);
const NOT_STARTED = `${FREEBSD_EMULATION} is not running (see /var/log/bsd-emu.log)`;

/** uname's answers: FreeBSD 14.1-RELEASE-p5 GENERIC amd64 (uname.c: -a is -mnrsv, in the order s n r v m). */
export const FREEBSD_RELEASE = '14.1-RELEASE-p5';

export const FREEBSD_SHIMS: Record<string, string> = {
  ifconfig:
    HEAD('ifconfig', 'reads print rendered files; changes go to the emulation daemon') +
    `show() { if [ -f "$1" ]; then cat "$1"; exit 0; fi; printf '%s\\n' "$2" >&2; exit 1; }
case $# in
0) show "$O/ifconfig.txt" "ifconfig: ${NOT_STARTED}" ;;
1) case $1 in
  -a) show "$O/ifconfig.txt" "ifconfig: ${NOT_STARTED}" ;;
  -*|*[!A-Za-z0-9.]*) ;;
  *) show "$O/if/$1.txt" "ifconfig: interface $1 does not exist" ;;
  esac ;;
esac
exec node "$CALL" ifconfig "$@"
`,
  sysctl:
    HEAD('sysctl', 'net.inet.carp only; reads print a rendered file, writes go to the emulation daemon') +
    `if [ $# -eq 1 ]; then case $1 in
  net.inet.carp) exec cat "$O/sysctl.txt" ;;
  net.inet.carp.allow|net.inet.carp.preempt|net.inet.carp.log|net.inet.carp.demotion|net.inet.carp.ifdown_demotion_factor|net.inet.carp.senderr_demotion_factor) exec grep "^$1: " "$O/sysctl.txt" ;;
esac; fi
exec node "$CALL" sysctl "$@"
`,
  netstat:
    HEAD('netstat', 'only -s -p carp') +
    `if [ "$*" = "-s -p carp" ]; then exec cat "$O/netstat.txt"; fi
echo "netstat: ${FREEBSD_EMULATION}: only netstat -s -p carp is emulated" >&2
exit 1
`,
  route:
    HEAD('route', 'not emulated: which routing messages FreeBSD carp sends was not confirmed from source') +
    `echo "route: ${FREEBSD_EMULATION}: route is not emulated (read the state periodically)" >&2
exit 1
`,
  sysrc:
    HEAD('sysrc', '/etc/rc.conf only: NAME=VALUE, -x NAME, NAME, -a, -e; done by the emulation daemon') +
    `exec node "$CALL" sysrc "$@"
`,
  uname: unameShim(HEAD, { name: 'FreeBSD', release: FREEBSD_RELEASE, version: `FreeBSD ${FREEBSD_RELEASE} GENERIC`, usage: '[-abiKmnoprsUv]', unknown: 'illegal option', extra: 'o' }),
};

/** Where each shim goes: mounted over the system's program, or (sysrc) written into the host's /usr/local/sbin. */
export const FREEBSD_TARGETS: Record<string, string> = SHIM_TARGETS;
