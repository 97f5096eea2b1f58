// Host key trust in OpenSSH's words: the key type as ssh prints it, the file to compare with on the
// host's own console (ssh-keygen -lf /etc/ssh/ssh_host_<type>_key.pub).

/** "ssh-ed25519" → "ED25519", "ecdsa-sha2-nistp256" → "ECDSA", "ssh-rsa" / "rsa-sha2-512" → "RSA". */
export function keyTypeLabel(keyType: string): string {
  const t = keyType.toLowerCase();
  if (t.includes('ed25519')) return 'ED25519';
  if (t.includes('ecdsa')) return 'ECDSA';
  if (t.includes('rsa')) return 'RSA';
  if (t.includes('dss') || t.includes('dsa')) return 'DSA';
  return keyType.toUpperCase();
}

export function hostKeyFile(keyType: string): string {
  const t = keyTypeLabel(keyType).toLowerCase();
  return `/etc/ssh/ssh_host_${['ed25519', 'ecdsa', 'rsa', 'dsa'].includes(t) ? t : 'ed25519'}_key.pub`;
}

/** The command the operator runs on the host's own console to read the fingerprint to compare. */
export function compareCommand(keyType: string): string {
  return `ssh-keygen -lf ${hostKeyFile(keyType)}`;
}

/** "fw1 (198.18.1.1)" as ssh names a host it has not seen, or just the name. */
export function hostWithAddress(host: string, address?: string): string {
  return address && address !== host ? `${host} (${address})` : host;
}
