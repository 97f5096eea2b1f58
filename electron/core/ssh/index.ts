// The SSH layer's public face: transports, pool, known_hosts, host certificates, output limits and errors.
export { SshTransport, type ConnectionState, type StateChange } from './connection.js';
export { parseJumpSpec, type SshOptions } from './dial.js';
export { SshPool } from './pool.js';
export { checkHostKey, fingerprint, trustHostKey, parseKnownHosts, keyTypeOfBlob, listedTrust, readKnownHosts, type HostKeyCheck, type TrustEntry } from './known-hosts.js';
export { knownHostsFilesFor, allKnownHostsFiles, describeTrust, type KnownHostsFiles } from './known-hosts-files.js';
export { filesForHost, describeHostTrust } from './host-keys.js';
export { MAX_EXEC_OUTPUT_BYTES, MAX_LINE_BYTES } from './bounded.js';
export * from './errors.js';
export { confirmHostKey, type HostKeyVerdict } from './trust.js';
