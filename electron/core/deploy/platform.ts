// What deploy learns about a host in one round trip (OS, CPU, distro, init system, node, installed
// version) and what it means: node's platform-arch name, the install command for Node (Linux: deploy
// refuses other systems after detecting them).
export interface HostFacts {
  os: string; // `uname -s` lower-cased: linux, freebsd, openbsd, darwin…
  arch: string; // node's process.arch names: x64, arm64, arm, ia32
  platform: string; // `${os}-${arch}`
  distro: string; // /etc/os-release ID on Linux, else the OS
  systemd: boolean;
  nodeVersion?: string; // e.g. v18.19.0
  /** Version the `current` symlink points at, if any. */
  installed?: string;
  sha256Tool: 'sha256sum' | 'sha256' | 'node';
}

/** One shell command that prints key=value lines parsed by parseFacts. */
export const DETECT_COMMAND = [
  'PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin:$PATH',
  'echo "os=$(uname -s)"',
  'echo "machine=$(uname -m)"',
  'echo "distro=$( (. /etc/os-release 2>/dev/null && echo "$ID") || true)"',
  'if [ -d /run/systemd/system ]; then echo systemd=1; else echo systemd=0; fi',
  'echo "node=$(node -v 2>/dev/null || true)"',
  'echo "current=$(readlink /opt/carp-agent/current 2>/dev/null || true)"',
  'if command -v sha256sum >/dev/null 2>&1; then echo sha=sha256sum; elif command -v sha256 >/dev/null 2>&1; then echo sha=sha256; else echo sha=node; fi',
].join('; ');

const OS: Record<string, string> = { Linux: 'linux', FreeBSD: 'freebsd', OpenBSD: 'openbsd', Darwin: 'darwin' };
const ARCH: Record<string, string> = { x86_64: 'x64', amd64: 'x64', aarch64: 'arm64', arm64: 'arm64', armv7l: 'arm', armv6l: 'arm', i386: 'ia32', i686: 'ia32' };

export function parseFacts(stdout: string): HostFacts {
  const kv = Object.fromEntries(stdout.split('\n').map((l) => l.trim()).filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const uname = kv.os ?? '';
  const os = OS[uname] ?? uname.toLowerCase();
  const arch = ARCH[kv.machine ?? ''] ?? (kv.machine ?? 'unknown');
  if (!os) throw new Error(`could not detect the host's OS (uname -s printed nothing); output was: ${stdout.slice(0, 200)}`);
  const installed = kv.current ? kv.current.replace(/\/+$/, '').split('/').pop() : undefined;
  return {
    os,
    arch,
    platform: `${os}-${arch}`,
    distro: kv.distro || os,
    systemd: kv.systemd === '1',
    nodeVersion: kv.node || undefined,
    installed: installed || undefined,
    sha256Tool: (kv.sha as HostFacts['sha256Tool']) ?? 'node',
  };
}

/** The command that installs Node on this host (for the "Node missing" error). */
export function nodeInstallCommand(f: Pick<HostFacts, 'distro'>): string {
  switch (f.distro) {
    case 'debian':
    case 'ubuntu':
    case 'raspbian':
      return 'apt-get install -y nodejs';
    case 'alpine':
      return 'apk add nodejs';
    case 'fedora':
    case 'rhel':
    case 'centos':
    case 'rocky':
    case 'almalinux':
      return 'dnf install -y nodejs';
    case 'arch':
      return 'pacman -S --noconfirm nodejs';
    default:
      return 'apt-get install -y nodejs (Debian/Ubuntu) or your distribution\'s nodejs package';
  }
}

const MIN_NODE_MAJOR = 18;

/** Throws a clear error when Node is missing or older than 18. */
export function checkNode(host: string, f: HostFacts): void {
  const m = /^v?(\d+)\./.exec(f.nodeVersion ?? '');
  if (!m) throw new Error(`${host} has no Node.js (node -v failed); the agent needs Node >= ${MIN_NODE_MAJOR}: install it with \`${nodeInstallCommand(f)}\``);
  if (Number(m[1]) < MIN_NODE_MAJOR)
    throw new Error(`${host} has Node.js ${f.nodeVersion}, the agent needs >= ${MIN_NODE_MAJOR}: upgrade it with \`${nodeInstallCommand(f)}\``);
}
