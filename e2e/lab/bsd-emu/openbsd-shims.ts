// carp-console lab: emulated OpenBSD command surface (not a kernel): the sh programs mounted over a lab
// host's uname/ifconfig/sysctl/netstat/route, and its boot script. Reads are POSIX sh printing the files the
// emulation daemon renders (no Node start per read: the console reads every second); writes and anything
// unusual go to the daemon through call.js. /run/bsd-emu can be moved with BSD_EMU_RUN (unit tests).

export const EMULATION_TAG = 'carp-console lab: emulated OpenBSD command surface';

/** Where the emulation lives inside the host (/opt persists across the lab's reboot; /run does not). */
export const EMU_DIR = '/opt/bsd-emu';
export const RUN_DIR = '/run/bsd-emu';

/** The first lines of a shim: what it is, and where it finds the rendered files and the daemon's client. */
export const shimHead = (tag: string, tool: string, what: string) => `#!/bin/sh
# ${tag}: ${tool} (${what}).
R=\${BSD_EMU_RUN:-${RUN_DIR}}; O="$R/out"; CALL=\${BSD_EMU_CALL:-${EMU_DIR}/call.js}
`;

const HEAD = (tool: string, what: string) => shimHead(EMULATION_TAG, tool, what);

const NOT_STARTED = `${EMULATION_TAG} is not running (see /var/log/bsd-emu.log)`;

/** What a system's uname prints and how it complains (OpenBSD's and FreeBSD's uname.c: -a is -snrvm). */
export interface UnameAnswers {
  name: string;
  release: string;
  version: string;
  usage: string;
  /** "unknown option" (OpenBSD) or "illegal option" (FreeBSD). */
  unknown: string;
  /** Extra letters meaning -s (FreeBSD: o). */
  extra: string;
}

/** The uname shim: POSIX sh, the flags parsed as uname.c does, the host's own name for -n. */
export function unameShim(head: (tool: string, what: string) => string, u: UnameAnswers): string {
  return (
    head('uname', `answers as ${u.name} ${u.release} amd64`) +
    `s=0 n=0 r=0 v=0 m=0 p=0
[ $# -eq 0 ] && s=1
for a in "$@"; do
  case $a in -?*) ;; *) echo "usage: uname ${u.usage}" >&2; exit 1 ;; esac
  f=\${a#-}
  while [ -n "$f" ]; do
    c=\${f%"\${f#?}"}; f=\${f#?}
    case $c in
    a) s=1 n=1 r=1 v=1 m=1 ;; s${u.extra ? `|${u.extra}` : ''}) s=1 ;; n) n=1 ;; r) r=1 ;; v) v=1 ;; m) m=1 ;; p) p=1 ;;
    *) echo "uname: ${u.unknown} -- $c" >&2; echo "usage: uname ${u.usage}" >&2; exit 1 ;;
    esac
  done
done
out=''
add() { out="\${out:+$out }$1"; }
[ $s = 0 ] || add ${u.name}
[ $n = 0 ] || add "$(cat /proc/sys/kernel/hostname)"
[ $r = 0 ] || add ${u.release}
[ $v = 0 ] || add '${u.version}'
[ $m = 0 ] || add amd64
[ $p = 0 ] || add amd64
printf '%s\\n' "$out"
`
  );
}

export const SHIMS: Record<string, string> = {
  ifconfig:
    HEAD('ifconfig', 'reads print rendered files; changes go to the emulation daemon') +
    `show() { if [ -f "$1" ]; then cat "$1"; exit 0; fi; printf '%s\\n' "$2" >&2; exit 1; }
case $# in
0) show "$O/ifconfig.txt" "ifconfig: ${NOT_STARTED}" ;;
1) case $1 in
  -A) show "$O/ifconfig-A.txt" "ifconfig: ${NOT_STARTED}" ;;
  -a) show "$O/ifconfig.txt" "ifconfig: ${NOT_STARTED}" ;;
  carp) show "$O/members-carp.txt" "carp: no such interface" ;;
  -*|*[!A-Za-z0-9]*) ;;
  *) show "$O/if/$1.txt" "$1: no such interface" ;;
  esac ;;
2) if [ "$1" = -g ]; then case $2 in
  *[!A-Za-z0-9_]*) ;;
  *) show "$O/group-$2.txt" "ifconfig: $2: SIOCGIFGATTR: No such file or directory" ;;
  esac; fi ;;
esac
exec node "$CALL" ifconfig "$@"
`,
  sysctl:
    HEAD('sysctl', 'net.inet.carp only; reads print a rendered file, writes go to the emulation daemon') +
    `if [ $# -eq 1 ]; then case $1 in
  net.inet.carp) exec cat "$O/sysctl.txt" ;;
  net.inet.carp.allow|net.inet.carp.preempt|net.inet.carp.log) exec grep "^$1=" "$O/sysctl.txt" ;;
esac; fi
exec node "$CALL" sysctl "$@"
`,
  netstat:
    HEAD('netstat', 'only -s -p carp') +
    `if [ "$*" = "-s -p carp" ]; then exec cat "$O/netstat.txt"; fi
echo "netstat: ${EMULATION_TAG}: only netstat -s -p carp is emulated" >&2
exit 1
`,
  route:
    HEAD('route', 'only monitor: one RTM_IFINFO message per carp interface state or link change') +
    `case "$*" in
monitor|"-n monitor"|"monitor -iface"|"-n monitor -iface"|"monitor -inet"|"-n monitor -inet")
  [ -f "$R/route-monitor.log" ] || { echo "route: ${NOT_STARTED}" >&2; exit 1; }
  exec tail -n 0 -F "$R/route-monitor.log" 2>/dev/null ;;
esac
echo "route: ${EMULATION_TAG}: only route [-n] monitor is emulated" >&2
exit 1
`,
  uname: unameShim(HEAD, { name: 'OpenBSD', release: '7.6', version: 'GENERIC.MP#338', usage: '[-amnprsv]', unknown: 'unknown option', extra: '' }),
};

/** The system programs each shim is mounted over (Debian's paths; /sbin and /bin are links into /usr). */
export const SHIM_TARGETS: Record<string, string> = {
  uname: '/usr/bin/uname',
  ifconfig: '/usr/sbin/ifconfig',
  sysctl: '/usr/sbin/sysctl',
  route: '/usr/sbin/route',
  netstat: '/usr/bin/netstat',
};

/**
 * The boot script (/etc/rc.local runs it at every boot): bind-mounts the shims over the system's tools in
 * this host's own mount namespace (the console's scripts set PATH=/sbin:/bin:…, so a shim in
 * /usr/local/sbin would not be found first), then starts the emulation daemon, which runs netstart and the
 * carp-agent underneath. Idempotent within a boot.
 */
export function bootScript(flavour: 'openbsd' | 'freebsd' = 'openbsd', targets: Record<string, string> = SHIM_TARGETS, tag = EMULATION_TAG): string {
  const mounts = Object.entries(targets)
    .map(([name, target]) => `[ -e ${target} ] && mount --bind ${EMU_DIR}/bin/${name} ${target}`)
    .join('\n');
  return `#!/bin/sh
# ${tag}: boot (from /etc/rc.local). Not a kernel: the shims print what the emulation daemon
# renders, and carp-agent does the CARP on the wire. Log: /var/log/bsd-emu.log.
mkdir -p ${RUN_DIR}
if [ ! -e ${RUN_DIR}/mounted ]; then
${mounts}
  : > ${RUN_DIR}/mounted
fi
if [ -f ${RUN_DIR}/daemon.pid ] && kill -0 "$(cat ${RUN_DIR}/daemon.pid)" 2>/dev/null; then exit 0; fi
setsid node ${EMU_DIR}/daemon.js ${flavour} >>/var/log/bsd-emu.log 2>&1 </dev/null &
echo $! > ${RUN_DIR}/daemon.pid
`;
}

/**
 * /etc/netstart [interface …], the part the console relies on (its undo of a group change runs
 * `sh /etc/netstart carpN`): each line of /etc/hostname.IF run through eval as `ifconfig IF LINE`, as
 * OpenBSD's netstart does, after creating the interface; carp interfaces only (no routes, no other
 * interface types). Without arguments: every /etc/hostname.carpN.
 */
export const NETSTART = `#!/bin/sh
# ${EMULATION_TAG}: /etc/netstart [interface ...] (carp interfaces only: each line of
# /etc/hostname.IF run as \`ifconfig IF LINE\` through eval, as OpenBSD's netstart does).
if [ $# -eq 0 ]; then set -- $(cd /etc && ls hostname.carp* 2>/dev/null | sed -n 's/^hostname\\.\\(carp[0-9]*\\)$/\\1/p'); fi
rc=0
for _if in "$@"; do
  case $_if in
  carp[0-9]*) ;;
  *) echo "netstart: $_if: ${EMULATION_TAG}: only carp interfaces are started here" >&2; rc=1; continue ;;
  esac
  f=/etc/hostname.$_if
  [ -f "$f" ] || continue
  ifconfig "$_if" >/dev/null 2>&1 || ifconfig "$_if" create || rc=1
  while IFS= read -r line || [ -n "$line" ]; do
    line=\${line%%#*}
    case $line in *[![:space:]]*) ;; *) continue ;; esac
    eval "ifconfig \\"\\$_if\\" $line" || rc=1
  done < "$f"
done
exit $rc
`;
