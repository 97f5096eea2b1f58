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
    /** A @cert-authority line covers the host, but it presented a plain key (see the note in the message). */
    readonly ca?: { file: string; line: number },
  ) {
    super(
      host,
      `${host} (${address}:${port}) presented an unknown ${keyType} host key ${fingerprint}; confirm the fingerprint with the host's administrator (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the host) before trusting it (carpctl trust ${host} --fingerprint ${fingerprint})` +
        (ca
          ? `. The @cert-authority at ${ca.file}:${ca.line} covers this host, but a CA vouches only for host certificates, and the console's SSH library (ssh2) cannot negotiate certificate host keys, so the host offered its plain key`
          : ''),
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
        ? `${host} (${address}:${port}) presented host key ${fingerprint}, which is marked @revoked (the key or the CA that signed its certificate) in ${file}:${line}; connection refused; the host needs a new key (ask its administrator), and that key confirmed or certified`
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

/** The host presented a certificate from a CA trusted for it that does not vouch for it (expired, wrong name, bad signature): refused. */
export class HostCertificateError extends SshError {
  readonly hostKey = 'changed' as const;
  constructor(host: string, address: string, port: number, reason: string, file: string, line: number) {
    super(
      host,
      `${host} (${address}:${port}) presented a host certificate that the @cert-authority at ${file}:${line} does not vouch for: ${reason}; connection refused; have the host's certificate re-issued for ${address} (ssh-keygen -s CA_KEY -h -n ${address} …)`,
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

/** A host sent more output than the console buffers (an exec's total, or one line of a line stream). */
export class OutputLimitError extends SshError {}

/** The connection was closed (by close() or by the network) while an operation was under way. */
export class ConnectionClosedError extends SshError {}
