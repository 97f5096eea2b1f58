// SSH material of a lab: the client key, one host key per host (kept across `up`), each host's
// sshd_config, and the ssh_config + known_hosts that let plain OpenSSH in with strict checking.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mustRun } from './run.js';
import type { HostNames, LabNames } from './names.js';

export interface SshFiles {
  identityFile: string;
  knownHostsFile: string;
  sshConfigFile: string;
}

export function sshFiles(stateDir: string): SshFiles {
  return {
    identityFile: path.join(stateDir, 'id_ed25519'),
    knownHostsFile: path.join(stateDir, 'known_hosts'),
    sshConfigFile: path.join(stateDir, 'ssh_config'),
  };
}

export function hostKeyPath(stateDir: string, host: string): string {
  return path.join(stateDir, 'keys', `${host}_ssh_host_ed25519_key`);
}

async function ensureKey(file: string, comment: string): Promise<void> {
  if (existsSync(file) && existsSync(`${file}.pub`)) return;
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  await mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

/** Creates keys that do not exist yet (reuse keeps known_hosts valid) and writes ssh_config + known_hosts. */
export async function prepareSsh(n: LabNames): Promise<SshFiles> {
  const f = sshFiles(n.stateDir);
  await ensureKey(f.identityFile, `carp-lab${n.id}-operator`);
  for (const h of n.hosts) await ensureKey(hostKeyPath(n.stateDir, h.name), `root@${h.name}`);
  const known = n.hosts.map((h) => {
    const pub = readFileSync(`${hostKeyPath(n.stateDir, h.name)}.pub`, 'utf8').trim().split(/\s+/);
    return `${h.mgmtAddress} ${pub[0]} ${pub[1]}`;
  });
  writeFileSync(f.knownHostsFile, known.join('\n') + '\n', { mode: 0o644 });
  writeFileSync(f.sshConfigFile, sshConfig(n, f), { mode: 0o644 });
  return f;
}

export function sshConfig(n: LabNames, f: SshFiles): string {
  const blocks = n.hosts.map((h) =>
    [
      `Host ${h.name}`,
      `  HostName ${h.mgmtAddress}`,
      `  Port 22`,
      `  User root`,
      `  IdentityFile ${f.identityFile}`,
      `  IdentitiesOnly yes`,
      `  UserKnownHostsFile ${f.knownHostsFile}`,
      `  GlobalKnownHostsFile /dev/null`,
      `  StrictHostKeyChecking yes`,
      `  BatchMode yes`,
      `  ConnectTimeout 5`,
      '',
    ].join('\n'),
  );
  return `# carp-lab ${n.id}: ssh -F ${f.sshConfigFile} fw1\n` + blocks.join('\n');
}

/** The host's /etc/ssh/sshd_config (as the host sees it; paths are inside the host). */
export function sshdConfig(h: HostNames): string {
  return [
    `# carp-lab host ${h.name}: sshd on the management address only`,
    `ListenAddress ${h.mgmtAddress}`,
    `Port 22`,
    `HostKey /etc/ssh/ssh_host_ed25519_key`,
    `PermitRootLogin prohibit-password`,
    `PasswordAuthentication no`,
    `KbdInteractiveAuthentication no`,
    `UsePAM no`,
    `StrictModes no`,
    `UseDNS no`,
    `PidFile /run/sshd.pid`,
    `AuthorizedKeysFile .ssh/authorized_keys`,
    `Subsystem sftp internal-sftp`,
    `AcceptEnv LANG LC_*`,
    `MaxStartups 100:30:200`,
    '',
  ].join('\n');
}
