// Errors of the SSH layer, as classes so callers can tell a host-key question from a dead host.

export class SshError extends Error {
  constructor(
    readonly host: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The host presented a key no known_hosts file lists: confirm the fingerprint, trustHostKey, reconnect. */
export class UnknownHostKeyError extends SshError {
  /** What the console shows next to the host (transport.ts HostKeyProblem). */
  readonly hostKey = 'unknown' as const;
  constructor(
    host: string,
    readonly address: string,
    readonly port: number,
    readonly keyType: string,
    readonly keyBlob: Buffer,
    readonly fingerprint: string,
  ) {
    super(
      host,
      `${host} (${address}:${port}) presented an unknown ${keyType} host key ${fingerprint}; confirm the fingerprint with the host's administrator (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the host) before trusting it (carpctl trust ${host} --fingerprint ${fingerprint})`,
    );
  }
}

/** The host's key differs from the one on record: refused. */
export class HostKeyChangedError extends SshError {
  readonly hostKey = 'changed' as const;
  constructor(
    host: string,
    readonly address: string,
    readonly port: number,
    readonly fingerprint: string,
    readonly file: string,
    readonly line: number,
    revoked = false,
  ) {
    super(
      host,
      revoked
        ? `${host} (${address}:${port}) presented host key ${fingerprint}, which is marked @revoked in ${file}:${line}; connection refused`
        : `HOST KEY CHANGED for ${host} (${address}:${port}): it now presents ${fingerprint}, which differs from the key in ${file}:${line}; possible man-in-the-middle; if the host was reinstalled, remove the old key with ssh-keygen -R ${port === 22 ? address : `'[${address}]:${port}'`} -f ${file} and confirm the new one`,
    );
  }
}

/**
 * The host presented a key of a type known_hosts has no entry for, while it lists other types for that
 * host (OpenSSH warns here too): a man-in-the-middle may offer just a type we never recorded. Refused,
 * and never trusted by confirmation: the operator removes the old entry first if the host really changed.
 */
export class HostKeyOtherTypeError extends SshError {
  readonly hostKey = 'changed' as const;
  constructor(
    host: string,
    readonly address: string,
    readonly port: number,
    readonly keyType: string,
    readonly fingerprint: string,
    readonly knownTypes: string[],
    readonly file: string,
    readonly line: number,
  ) {
    super(
      host,
      `${host} (${address}:${port}) presented host key ${keyType} ${fingerprint}, but known_hosts lists only ${knownTypes.join(', ')} for it (${file}:${line}) and no ${keyType} key; possible man-in-the-middle; connection refused. If the host really changed its keys, remove the old entry with ssh-keygen -R ${port === 22 ? address : `'[${address}]:${port}'`} -f ${file} and confirm the new key`,
    );
  }
}

/** TCP connect or SSH handshake failed or timed out. */
export class HostUnreachableError extends SshError {}

/** No authentication method was accepted. */
export class AuthError extends SshError {}

/** An identity file is encrypted and there is no way to ask for its passphrase. */
export class PassphraseRequiredError extends SshError {
  constructor(
    host: string,
    readonly file: string,
  ) {
    super(host, `identity file ${file} is encrypted and no passphrase prompt is available; load it into ssh-agent (ssh-add ${file}) or run interactively`);
  }
}

/** A command did not finish within its timeout. */
export class ExecTimeoutError extends SshError {}

/** The connection was closed (by close() or by the network) while an operation was under way. */
export class ConnectionClosedError extends SshError {}
