// The SSH layer's public face: transports, pool, known_hosts and errors.
export { SshTransport, SshPool, connect, parseJumpSpec, type SshOptions, type ConnectionState, type StateChange } from './connection.js';
export { checkHostKey, fingerprint, trustHostKey, parseKnownHosts, keyTypeOfBlob, type HostKeyCheck } from './known-hosts.js';
export * from './errors.js';
export { confirmHostKey, type HostKeyVerdict } from './trust.js';
