// Text of the files deploy installs on a host: the service control script, the wrapper, the
// systemd unit, the rc.d scripts for FreeBSD/OpenBSD, and the idempotent /etc/rc.local edit.

export const BASE = '/opt/carp-agent';
export const CURRENT = `${BASE}/current`;
export const SERVICE_SCRIPT = `${BASE}/service.sh`;
export const CONFIG = '/etc/carp-agent/config.json';
/** The command wrapper lives under /opt/carp-agent (per host); WRAPPER_LINK puts it on PATH. */
export const WRAPPER = `${BASE}/bin/carp-agent`;
export const WRAPPER_LINK = '/usr/local/bin/carp-agent';
export const LOG = '/var/log/carp-agent.log';
export const RC_MARKER = '# carp-agent';
/**
 * The command the console runs for the agent's control channel (deploy's handshake and every AgentLink):
 * the deployed wrapper, else the one on PATH, else the bundle itself. Defined only here.
 */
export const ATTACH_COMMAND = `for w in ${WRAPPER} ${WRAPPER_LINK}; do [ -x "$w" ] && exec "$w" attach; done; exec node ${CURRENT}/carp-agent.js attach`;

/** Shell-quotes one word for sh. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** start | stop | restart | status | run (foreground, for systemd): one script for every init system. */
export function serviceScript(os: string): string {
  const pidfile = os === 'linux' ? '/run/carp-agent.pid' : '/var/run/carp-agent.pid';
  return `#!/bin/sh
# carp-agent service control, installed by carp-console deploy. Usage: service.sh start|stop|restart|status|run
PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin:$PATH
PIDFILE=${pidfile}
APP=${CURRENT}/carp-agent.js
CONF=${CONFIG}
LOG=${LOG}
running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
stop() {
  if [ -f "$PIDFILE" ]; then
    pid=$(cat "$PIDFILE")
    if kill -TERM "$pid" 2>/dev/null; then
      i=0
      while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
      kill -KILL "$pid" 2>/dev/null
    fi
    rm -f "$PIDFILE"
  else
    # no pid file (started by hand?): the agent's own command line identifies it on this host
    pkill -TERM -f "carp-agent.js run" 2>/dev/null
    sleep 0.5
  fi
  return 0
}
case "$1" in
  start)
    running && exit 0
    nohup node "$APP" run --config "$CONF" >>"$LOG" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    ;;
  stop) stop ;;
  restart) stop; "$0" start ;;
  status) if running; then echo "running $(cat "$PIDFILE")"; else echo stopped; exit 3; fi ;;
  run) exec node "$APP" run --config "$CONF" ;;
  *) echo "usage: $0 start|stop|restart|status|run" >&2; exit 2 ;;
esac
`;
}

export function wrapperScript(): string {
  return `#!/bin/sh
# carp-agent command wrapper, installed by carp-console deploy
PATH=/usr/local/bin:/usr/bin:/bin:$PATH
exec node ${CURRENT}/carp-agent.js "$@"
`;
}

export function systemdUnit(): string {
  return `# installed by carp-console deploy
[Unit]
Description=carp-agent (userland CARP)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=/bin/sh ${SERVICE_SCRIPT} run
ExecReload=/bin/kill -HUP $MAINPID
KillSignal=SIGTERM
Restart=on-failure
RestartSec=2

[Install]
WantedBy=multi-user.target
`;
}

/** FreeBSD rc.d script (written, not tested here: no FreeBSD host in the lab). */
export function freebsdRcScript(): string {
  return `#!/bin/sh
# PROVIDE: carp_agent
# REQUIRE: NETWORKING
# KEYWORD: shutdown
# installed by carp-console deploy
. /etc/rc.subr
name=carp_agent
rcvar=carp_agent_enable
start_cmd="/bin/sh ${SERVICE_SCRIPT} start"
stop_cmd="/bin/sh ${SERVICE_SCRIPT} stop"
status_cmd="/bin/sh ${SERVICE_SCRIPT} status"
load_rc_config $name
: \${carp_agent_enable:=NO}
run_rc_command "$1"
`;
}

/** OpenBSD rc.d script (written, not tested here: no OpenBSD host in the lab). */
export function openbsdRcScript(): string {
  return `#!/bin/ksh
# installed by carp-console deploy
daemon="/bin/sh ${SERVICE_SCRIPT}"
. /etc/rc.d/rc.subr
rc_bg=YES
rc_reload=NO
rc_start() { /bin/sh ${SERVICE_SCRIPT} start; }
rc_stop() { /bin/sh ${SERVICE_SCRIPT} stop; }
rc_check() { /bin/sh ${SERVICE_SCRIPT} status >/dev/null; }
rc_cmd $1
`;
}

/** The line rc.local runs at boot. */
export const RC_LOCAL_LINE = `/bin/sh ${SERVICE_SCRIPT} start ${RC_MARKER}`;

/**
 * /etc/rc.local with exactly one carp-agent line (idempotent): old marked lines removed, the line
 * inserted before a final `exit 0`, a shebang added when the file is new.
 */
export function editRcLocal(existing: string | null): string {
  const lines = (existing ?? '#!/bin/sh\n').replace(/\n+$/, '').split('\n').filter((l) => !l.trimEnd().endsWith(RC_MARKER));
  let exitAt = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const t = lines[i].trim();
    if (!t || t.startsWith('#')) continue;
    if (/^exit\s+0$/.test(t)) exitAt = i;
    break;
  }
  if (exitAt >= 0) lines.splice(exitAt, 0, RC_LOCAL_LINE);
  else lines.push(RC_LOCAL_LINE);
  return lines.join('\n') + '\n';
}
