// One SSH exec reads a kernel host's whole CARP state: the sh script per system (marked sections,
// base tools only) and the function that turns its output into a KernelCarpState.
// OpenBSD: `ifconfig -A` (every address; plain `ifconfig` shows one IPv4 address per interface),
// `ifconfig -g G` for every group of a carp interface, `sysctl net.inet.carp`, `netstat -s -p carp`.
// FreeBSD/pfSense/OPNsense: `ifconfig` with IFCONFIG_FORMAT unset, `sysctl net.inet.carp`, `netstat -s -p carp`.
import type { KernelSystem } from './detect.js';
import { KernelParseError } from './errors.js';
import { parseFreebsdIfconfig } from './freebsd-ifconfig.js';
import { buildFreebsdState, buildOpenbsdState, type KernelCarpState } from './model.js';
import { parseCarpNetstat, type CarpCounters } from './netstat.js';
import { parseOpenbsdGroupDemotes, parseOpenbsdIfconfig } from './openbsd-ifconfig.js';
import { parseSections, sectionScript, type Section, type SectionStep } from './sections.js';
import { parseCarpSysctl } from './sysctl.js';

const OPENBSD_STEPS: SectionStep[] = [
  { name: 'ifconfig', sh: 'ifconfig -A' },
  {
    name: 'groups',
    sh: "for g in $(ifconfig carp | sed -n 's/^[[:space:]]*groups://p' | tr ' ' '\\n' | sort -u); do ifconfig -g \"$g\" || exit 1; done",
  },
  { name: 'sysctl', sh: 'sysctl net.inet.carp' },
  { name: 'netstat', sh: 'netstat -s -p carp' },
];

const FREEBSD_STEPS: SectionStep[] = [
  { name: 'ifconfig', sh: 'ifconfig' },
  { name: 'sysctl', sh: 'sysctl net.inet.carp' },
  { name: 'netstat', sh: 'netstat -s -p carp' },
];

export const OPENBSD_STATE_SCRIPT = sectionScript(OPENBSD_STEPS);
export const FREEBSD_STATE_SCRIPT = sectionScript(FREEBSD_STEPS, 'unset IFCONFIG_FORMAT');

/** The read script for a system. */
export function stateScript(system: KernelSystem): string {
  return system.kind === 'openbsd' ? OPENBSD_STATE_SCRIPT : FREEBSD_STATE_SCRIPT;
}

function ok(tool: string, s: Section, hint: string): string {
  if (s.rc !== 0) throw new KernelParseError(tool, `exited with status ${s.rc}${hint ? `: ${hint}` : ''}`);
  return s.text;
}

function counters(s: Section, warnings: string[]): CarpCounters {
  if (s.rc !== 0 || s.text === '') {
    warnings.push(`netstat -s -p carp ${s.rc !== 0 ? `exited with status ${s.rc}` : 'printed nothing'}: CARP counters unavailable`);
    return {};
  }
  return parseCarpNetstat(s.text);
}

/** Parses the state script's output into a KernelCarpState; throws KernelParseError on anything uncertain. */
export function parseKernelState(system: KernelSystem, output: string): KernelCarpState {
  const warnings: string[] = [];
  if (system.kind === 'openbsd') {
    const s = parseSections('OpenBSD state read', output, OPENBSD_STEPS.map((x) => x.name));
    const groupsText = ok('OpenBSD ifconfig -g', s.groups, 'a carp interface group could not be read');
    return buildOpenbsdState({
      system,
      ifconfig: parseOpenbsdIfconfig(ok('OpenBSD ifconfig -A', s.ifconfig, '')),
      groups: groupsText === '' ? {} : parseOpenbsdGroupDemotes(groupsText),
      sysctl: parseCarpSysctl(ok('OpenBSD sysctl net.inet.carp', s.sysctl, ''), 'openbsd'),
      counters: counters(s.netstat, warnings),
      warnings,
    });
  }
  const s = parseSections(`${system.kind} state read`, output, FREEBSD_STEPS.map((x) => x.name));
  return buildFreebsdState({
    system,
    ifconfig: parseFreebsdIfconfig(ok('FreeBSD ifconfig', s.ifconfig, '')),
    sysctl: parseCarpSysctl(ok('FreeBSD sysctl net.inet.carp', s.sysctl, 'is carp(4) loaded? (kldload carp, or carp_load="YES" in /boot/loader.conf)'), 'freebsd'),
    counters: counters(s.netstat, warnings),
    warnings,
  });
}
