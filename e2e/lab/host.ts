// One lab host as a machine: its folders under the state dir, its boot (init) script, its
// reboot/shutdown commands, and how the supervisor starts it (netns + unshare) or the lab enters it.
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { hostKeyPath, sshdConfig, sshFiles } from './ssh.js';
import { readFileSync } from 'node:fs';
import { run, type RunResult } from './run.js';
import type { HostNames, LabNames } from './names.js';

/** Per-host folders, bind-mounted (or overlaid, for /etc) over the machine's own inside the host. */
export const HOST_MOUNTS: Array<[string, string]> = [
  ['opt', '/opt'],
  ['run', '/run'],
  ['var/log', '/var/log'],
  ['tmp', '/tmp'],
  ['root', '/root'],
  ['sbin', '/usr/local/sbin'],
  ['bin', '/usr/local/bin'], // what a deploy installs there stays on that host
];

export const PATH_IN_HOST = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function initScriptPath(stateDir: string): string {
  return path.join(stateDir, 'host-init.sh');
}

/** PID 1 of a host (dash). Args: host dir, host name, lab state dir. Mounts are private to the host. */
export const INIT_SCRIPT = `#!/bin/sh
# carp-lab host init: PID 1 of one lab host. Gives the host its own /etc (overlay), /opt, /run,
# /var/log, /tmp, /root, /usr/local/{sbin,bin}, hides the lab's state dir, starts sshd and /etc/rc.local.
set -e
H="$1"; NAME="$2"; LABDIR="$3"
find "$H/run" -mindepth 1 -delete
mkdir -p "$H/.work/etc"
# Stage the host's folder on /mnt first, so hiding the state dir (or a state dir under /tmp) cannot
# hide the sources of the mounts below.
mount --bind "$H" /mnt
mount -t tmpfs -o size=64k,mode=0700 carp-lab-private "$LABDIR"
if [ -d /var/lib/carp-lab ]; then mount -t tmpfs -o size=64k,mode=0700 carp-lab-private /var/lib/carp-lab; fi
mount -t overlay carp-lab-etc -o "lowerdir=/etc,upperdir=/mnt/etc,workdir=/mnt/.work/etc" /etc
for m in ${HOST_MOUNTS.map(([d, t]) => `${d}:${t}`).join(' ')}; do
  mount --bind "/mnt/\${m%%:*}" "\${m#*:}"
done
umount -l /mnt
cd /
hostname "$NAME"
ip link set lo up
mkdir -p /run/sshd /run/lock /run/carp-lab
chmod 0755 /run/sshd
export PATH=${PATH_IN_HOST} HOME=/root
set +e
trap 'kill -TERM -1 2>/dev/null; sleep 0.3; kill -KILL -1 2>/dev/null; exit 0' TERM
/usr/sbin/sshd -D -f /etc/ssh/sshd_config -E /var/log/sshd.log &
if [ -x /etc/rc.local ]; then
  (echo "rc.local: boot $(date -Is)"; /etc/rc.local) >>/var/log/rc.local.log 2>&1 </dev/null &
fi
date -Is > /run/carp-lab/booted
while :; do sleep 1 & wait $!; done
`;

const POWER_HELPER = `#!/bin/sh
# carp-lab: asks the lab supervisor to $1 this host; like a real machine, this never returns:
# the supervisor stops every process of the host (this one too).
mkdir -p /run/carp-lab
echo "$1" > /run/carp-lab/request.tmp && mv /run/carp-lab/request.tmp /run/carp-lab/request
echo "carp-lab: $1 of $(hostname) requested" >&2
exec sleep 120
`;

const POWER_COMMANDS: Record<string, string> = {
  reboot: `#!/bin/sh
# carp-lab: reboot this lab host (its files stay; it comes back after the lab's reboot delay).
exec /usr/local/sbin/carp-lab-power reboot
`,
  poweroff: `#!/bin/sh
# carp-lab: power this lab host off (it stays off until \`npm run lab -- power-on\`).
exec /usr/local/sbin/carp-lab-power poweroff
`,
  halt: `#!/bin/sh
# carp-lab: halt = power off on a lab host.
exec /usr/local/sbin/carp-lab-power poweroff
`,
  shutdown: `#!/bin/sh
# carp-lab: shutdown [-r|-h|-P|-c] [time]: -r reboots, otherwise powers off; always immediately.
action=poweroff
for a in "$@"; do
  case "$a" in
    -r|--reboot) action=reboot ;;
    -c) echo "shutdown: nothing scheduled on a lab host" >&2; exit 1 ;;
  esac
done
exec /usr/local/sbin/carp-lab-power "$action"
`,
};

function write(file: string, text: string, mode: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text, { mode });
  chmodSync(file, mode);
}

/** Fresh folders for every host (a new `up` is a fresh machine; its host key is kept). */
export function prepareHostDirs(n: LabNames): void {
  write(initScriptPath(n.stateDir), INIT_SCRIPT, 0o755);
  const operatorKey = readFileSync(`${sshFiles(n.stateDir).identityFile}.pub`, 'utf8');
  for (const h of n.hosts) prepareHost(n, h, operatorKey);
}

function prepareHost(n: LabNames, h: HostNames, operatorKey: string): void {
  const H = h.dir;
  rmSync(H, { recursive: true, force: true });
  for (const d of ['etc/carp-agent', 'opt/carp-agent', 'run', 'var/log', 'root/.ssh', 'sbin', 'bin', '.work/etc']) {
    mkdirSync(path.join(H, d), { recursive: true });
  }
  mkdirSync(path.join(H, 'tmp'), { recursive: true });
  chmodSync(path.join(H, 'tmp'), 0o1777);
  chmodSync(path.join(H, 'root'), 0o700);
  chmodSync(path.join(H, 'root/.ssh'), 0o700);
  write(path.join(H, 'root/.ssh/authorized_keys'), operatorKey, 0o600);
  write(path.join(H, 'etc/hostname'), `${h.name}\n`, 0o644);
  write(
    path.join(H, 'etc/hosts'),
    ['127.0.0.1\tlocalhost', `127.0.1.1\t${h.name}`, ...n.hosts.map((o) => `${o.mgmtAddress}\t${o.name}`), ''].join('\n'),
    0o644,
  );
  write(
    path.join(H, 'etc/rc.local'),
    `#!/bin/sh\n# /etc/rc.local of lab host ${h.name}: runs at every boot (output in /var/log/rc.local.log).\n` +
      `# A service that must start at boot appends its start line below.\n`,
    0o755,
  );
  write(path.join(H, 'etc/ssh/sshd_config'), sshdConfig(h), 0o644);
  const key = hostKeyPath(n.stateDir, h.name);
  mkdirSync(path.join(H, 'etc/ssh'), { recursive: true });
  copyFileSync(key, path.join(H, 'etc/ssh/ssh_host_ed25519_key'));
  chmodSync(path.join(H, 'etc/ssh/ssh_host_ed25519_key'), 0o600);
  copyFileSync(`${key}.pub`, path.join(H, 'etc/ssh/ssh_host_ed25519_key.pub'));
  write(path.join(H, 'sbin/carp-lab-power'), POWER_HELPER, 0o755);
  for (const [name, text] of Object.entries(POWER_COMMANDS)) write(path.join(H, 'sbin', name), text, 0o755);
}

/** Where a host's in-host power request lands, seen from the root namespace. */
export function powerRequestFile(h: HostNames): string {
  return path.join(h.dir, 'run/carp-lab/request');
}

/**
 * Starts a host: PID 1 in new mount/UTS/PID namespaces inside its netns. The child is `unshare`.
 * A spawn that fails (e.g. `ip` missing) emits 'error', not a throw: it is written to the host log here
 * so an unhandled 'error' never kills the supervisor; the caller sees the child exit or fail to start.
 */
export function spawnHost(n: LabNames, h: HostNames, logFd: number): ChildProcess {
  const child = spawn(
    'ip',
    [
      'netns', 'exec', h.netns,
      'unshare', '--mount', '--uts', '--pid', '--fork', '--kill-child=SIGKILL', '--propagation', 'private', '--mount-proc',
      '/bin/sh', initScriptPath(n.stateDir), h.dir, h.name, n.stateDir,
    ],
    { stdio: ['ignore', logFd, logFd] },
  );
  child.on('error', (err) => {
    try {
      writeSync(logFd, `carp-lab: starting ${h.name} failed: ${err.message}\n`);
    } catch {
      /* the log is gone too: nothing more to do */
    }
  });
  return child;
}

/** The host's PID 1 as the root namespace numbers it: the only child of `unshare`. */
export function initPidOf(unsharePid: number): number | undefined {
  try {
    const kids = readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim().split(/\s+/);
    const pid = Number(kids[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `sh -c command` inside a running host (its files, hostname, network and processes). */
export function execInHost(initPid: number, command: string, opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return run(
    'nsenter',
    ['-t', String(initPid), '-m', '-u', '-n', '-p', '--wd=/root',
      'env', '-i', `PATH=${PATH_IN_HOST}`, 'HOME=/root', 'USER=root', 'LOGNAME=root', 'SHELL=/bin/sh',
      '/bin/sh', '-c', command],
    opts,
  );
}
