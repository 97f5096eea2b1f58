// Checks before a lab command touches the machine: root, Linux, and the Debian packages it needs.
import { accessSync, constants } from 'node:fs';
import { LabError } from './names.js';

/** Binary → the Debian package that ships it. */
export const REQUIRED_BINARIES: Record<string, string> = {
  ip: 'iproute2',
  bridge: 'iproute2',
  sshd: 'openssh-server',
  ssh: 'openssh-client',
  'ssh-keygen': 'openssh-client',
  nft: 'nftables',
  ping: 'iputils-ping',
  unshare: 'util-linux',
  nsenter: 'util-linux',
  mount: 'mount',
};

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function findBinary(name: string, dirs: string[] = SEARCH_PATH): string | undefined {
  for (const d of dirs) {
    try {
      accessSync(`${d}/${name}`, constants.X_OK);
      return `${d}/${name}`;
    } catch {
      /* next */
    }
  }
  return undefined;
}

export interface PreflightEnv {
  platform: string;
  uid: number | undefined;
  has: (binary: string) => boolean;
}

export function realEnv(): PreflightEnv {
  return {
    platform: process.platform,
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    has: (b) => findBinary(b) !== undefined,
  };
}

/** Throws a LabError naming what is wrong and what to do. Pure given `env`. */
export function preflight(env: PreflightEnv = realEnv()): void {
  if (env.platform !== 'linux') {
    throw new LabError(`the lab needs Linux (network namespaces); this is ${env.platform}`);
  }
  if (env.uid !== 0) {
    throw new LabError('the lab needs root (namespaces, bridges, mounts): run it with sudo or as root');
  }
  const missing = new Set<string>();
  const which: string[] = [];
  for (const [bin, pkg] of Object.entries(REQUIRED_BINARIES)) {
    if (!env.has(bin)) {
      missing.add(pkg);
      which.push(bin);
    }
  }
  if (missing.size > 0) {
    const pkgs = [...missing].sort().join(' ');
    throw new LabError(`missing ${which.join(', ')} (Debian package ${pkgs}): apt-get install -y ${pkgs}`);
  }
}
