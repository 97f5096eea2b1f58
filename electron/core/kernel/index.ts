// The kernel-CARP backend's pure part (OpenBSD, FreeBSD, pfSense, OPNsense): system detection,
// parsers of the base tools' output, the normalised state and its GroupStatus mapping, and the
// command builders. No I/O here: the SSH side runs the scripts and commands and feeds the output back.
export { detectSystem, isKernelSystem, PROBE_SCRIPT, type Detected, type KernelSystem, type KernelSystemKind, type NotKernelCarp } from './detect.js';
export { KernelCommandError, KernelParseError } from './errors.js';
export { parseOpenbsdIfconfig, parseOpenbsdGroupDemote, parseOpenbsdGroupDemotes, type OpenbsdIfconfig, type OpenbsdCarpInterface } from './openbsd-ifconfig.js';
export { parseFreebsdIfconfig, type FreebsdInterface, type FreebsdCarpVhid } from './freebsd-ifconfig.js';
export { parseCarpSysctl, type CarpSysctl } from './sysctl.js';
export { parseCarpNetstat, type CarpCounters } from './netstat.js';
export { buildFreebsdState, buildOpenbsdState, kernelDrops, toGroupStatus, type KernelCarpState, type KernelVhid } from './model.js';
export { FREEBSD_STATE_SCRIPT, OPENBSD_STATE_SCRIPT, parseKernelState, stateScript } from './state-read.js';
export { REDACTED, redactedLine, shellLine, type KernelCommand } from './command.js';
export * from './commands-openbsd.js';
export * from './commands-freebsd.js';
