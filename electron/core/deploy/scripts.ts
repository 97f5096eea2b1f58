// Text of the files deploy installs on a Linux host: the service control script, the wrapper, the
// systemd unit, and the idempotent /etc/rc.local edit. (BSD hosts run carp(4) in the kernel; the
// console's BSD backend will use the base system's tools, not an rc.d script of ours.)
import { AGENT_NODE_SH } from '../../../agent/node-flags.js';

export const BASE = '/opt/carp-agent';
const CURRENT = `${BASE}/current`;
export const SERVICE_SCRIPT = `${BASE}/service.sh`;
export const CONFIG = '/etc/carp-agent/config.json';
/** The command wrapper lives under /opt/carp-agent (per host); WRAPPER_LINK puts it on PATH. */
export const WRAPPER = `${BASE}/bin/carp-agent`;
export const WRAPPER_LINK = '/usr/local/bin/carp-agent';
const LOG = '/var/log/carp-agent.log';
const RC_MARKER = '# carp-agent';
/**
 * The command the console runs for the agent's control channel (deploy's handshake and every AgentLink):
 * the deployed wrapper, else the one on PATH, else the bundle itself. Defined only here.
 */
export const ATTACH_COMMAND = `for w in ${WRAPPER} ${WRAPPER_LINK}; do [ -x "$w" ] && exec "$w" attach; done; exec node ${CURRENT}/carp-agent.js attach`;

/** Shell-quotes one word for sh. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * start | stop | restart | status | supervise | run | cleanup: one script for every init system.
 * `start` runs the supervisor (`carp-agent supervise`) in the background (rc.local); `supervise` runs
 * it in the foreground (systemd). The supervisor runs the agent as its child and, when the agent dies
 * without being asked to (kill -9, OOM kill, crash), removes its VIPs at once, then restarts it with a
 * backoff. `run` is the bare agent in the foreground (nothing cleans up or restarts it); `cleanup`
 * removes the config's VIPs when no agent runs (systemd's ExecStopPost, and after a forced stop).
 */
export function serviceScript(): string {
  const pidfile = '/run/carp-agent.pid';
  return `#!/bin/sh
# carp-agent service control, installed by carp-console deploy.
# Usage: service.sh start|stop|restart|status|supervise|run|cleanup
#   start      the supervisor in the background: it runs the agent, removes the agent's virtual
#              addresses the moment it dies (kill -9, OOM kill, crash) and restarts it with a backoff
#   supervise  the same in the foreground (systemd)
#   run        the agent alone in the foreground (no cleanup after a crash, no restart)
#   cleanup    remove the config's virtual addresses from their interfaces when no agent runs
PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin:$PATH
PIDFILE=${pidfile}
APP=${CURRENT}/carp-agent.js
# Node for the agent, with the flags and environment chosen for a small footprint (agent/node-flags.ts)
${AGENT_NODE_SH}
CONF=${CONFIG}
LOG=${LOG}
# the log (it may quote config errors) and the pid file: root's alone, whatever umask boot runs this with
umask 077
[ -f "$LOG" ] && chmod 600 "$LOG"
running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
stop() {
  if [ -f "$PIDFILE" ]; then
    pid=$(cat "$PIDFILE")
    if kill -TERM "$pid" 2>/dev/null; then
      # the supervisor stops the agent (masters bow out; hooks get 5 s), then exits
      i=0
      while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done
      kill -KILL "$pid" 2>/dev/null
    fi
    rm -f "$PIDFILE"
  fi
  # an agent without its supervisor (started by hand, an older install, a supervisor killed outright):
  # the agent's own command line identifies it on this host
  if pkill -TERM -f "carp-agent.js run" 2>/dev/null; then
    i=0
    while pgrep -f "carp-agent.js run" >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
    pkill -KILL -f "carp-agent.js run" 2>/dev/null
  fi
  # an agent killed outright leaves its virtual addresses: remove them (nothing to do after a clean stop)
  $NODE "$APP" cleanup --config "$CONF" >/dev/null 2>&1
  return 0
}
case "$1" in
  start)
    running && exit 0
    nohup $NODE "$APP" supervise --config "$CONF" >>"$LOG" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    ;;
  stop) stop ;;
  restart) stop; "$0" start ;;
  status) if running; then echo "running $(cat "$PIDFILE")"; else echo stopped; exit 3; fi ;;
  supervise) exec $NODE "$APP" supervise --config "$CONF" ;;
  run) exec $NODE "$APP" run --config "$CONF" ;;
  cleanup) exec $NODE "$APP" cleanup --config "$CONF" ;;
  *) echo "usage: $0 start|stop|restart|status|supervise|run|cleanup" >&2; exit 2 ;;
esac
`;
}

export function wrapperScript(): string {
  return `#!/bin/sh
# carp-agent command wrapper, installed by carp-console deploy
PATH=/usr/local/bin:/usr/bin:/bin:$PATH
${AGENT_NODE_SH}
exec $NODE ${CURRENT}/carp-agent.js "$@"
`;
}

/**
 * The systemd unit: systemd supervises the supervisor (Restart=always), the supervisor the agent (so
 * the agent's death is handled the same way on every init system: VIPs removed within milliseconds,
 * restart with backoff, restarts reported in the snapshot). KillMode=control-group: if the supervisor
 * itself dies, systemd stops the agent (it bows out) before restarting the unit; ExecStopPost removes
 * whatever a SIGKILL of the whole unit left; OOMPolicy=continue leaves an OOM-killed agent to its
 * supervisor instead of stopping the unit.
 */
export function systemdUnit(): string {
  return `# installed by carp-console deploy
[Unit]
Description=carp-agent (userland CARP) under its supervisor
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=/bin/sh ${SERVICE_SCRIPT} supervise
ExecReload=/bin/kill -HUP $MAINPID
ExecStopPost=/bin/sh ${SERVICE_SCRIPT} cleanup
KillMode=control-group
KillSignal=SIGTERM
TimeoutStopSec=30
Restart=always
RestartSec=1
OOMPolicy=continue

[Install]
WantedBy=multi-user.target
`;
}

/** The line rc.local runs at boot: the supervisor in the background (service.sh start). */
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
