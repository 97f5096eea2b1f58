// Which system a host runs, from one probe over SSH: OpenBSD, FreeBSD, or the FreeBSD-based pfSense
// and OPNsense (which own their interfaces in config.xml). PROBE_SCRIPT prints marked sections;
// detectSystem reads them. Markers: pfSense /etc/platform ("pfSense") and /etc/version;
// OPNsense /usr/local/opnsense/version/core (JSON, "product_version") and `opnsense-version`
// (opnsense/core src/sbin/opnsense-version). OPNsense also ships /usr/local/sbin/pfSsh.php, so the
// OPNsense markers are checked first and pfSsh.php alone only counts when they are absent.
import { KernelParseError } from './errors.js';
import { parseSections, sectionScript, type Section, type SectionStep } from './sections.js';

export type KernelSystemKind = 'openbsd' | 'freebsd' | 'pfsense' | 'opnsense';

export interface KernelSystem {
  kind: KernelSystemKind;
  /** The product's version: OpenBSD/FreeBSD `uname -r` ("7.6", "14.1-RELEASE-p5"), pfSense /etc/version, OPNsense product_version. */
  version: string;
  /** `uname -s` and `uname -r`: "FreeBSD 14.0-CURRENT". */
  kernel: string;
  /** For people: "pfSense 2.7.2-RELEASE (FreeBSD 14.0-CURRENT)". */
  label: string;
}

/** A host that does not run kernel CARP this backend can drive. */
export interface NotKernelCarp {
  kind: 'not-bsd' | 'unsupported-bsd';
  uname: string;
  message: string;
}

export type Detected = KernelSystem | NotKernelCarp;

const STEPS: SectionStep[] = [
  { name: 'uname-s', sh: 'uname -s' },
  { name: 'uname-r', sh: 'uname -r' },
  { name: 'etc-platform', sh: 'cat /etc/platform' },
  { name: 'etc-version', sh: 'cat /etc/version' },
  { name: 'pfssh', sh: 'test -e /usr/local/sbin/pfSsh.php && echo present' },
  { name: 'opnsense-core', sh: 'cat /usr/local/opnsense/version/core' },
  { name: 'opnsense-version', sh: 'opnsense-version' },
];
export const PROBE_SECTIONS = STEPS.map((s) => s.name);

/** The probe: POSIX sh, base system tools only, one exec; read its stdout with detectSystem. */
export const PROBE_SCRIPT = sectionScript(STEPS);

function firstLine(s: Section | undefined): string {
  return s && s.rc === 0 ? (s.text.split('\n')[0] ?? '').trim() : '';
}

function opnsenseVersion(core: Section | undefined, cmd: Section | undefined): string | null {
  if (core && core.rc === 0 && core.text.trim()) {
    try {
      const j = JSON.parse(core.text) as { product_version?: unknown };
      if (typeof j.product_version === 'string' && j.product_version) return j.product_version;
    } catch {
      /* older files: fall through to the pattern */
    }
    const m = /"product_version"\s*:\s*"([^"]+)"/.exec(core.text);
    if (m) return m[1];
  }
  const line = firstLine(cmd);
  const m = /^OPNsense\S*\s+(\S+)/.exec(line);
  return m ? m[1] : null;
}

/** Reads the probe's output. Throws KernelParseError when it was cut off or `uname -s` printed nothing. */
export function detectSystem(probeOutput: string): Detected {
  const tool = 'system probe';
  const s = parseSections(tool, probeOutput, PROBE_SECTIONS);
  const uname = firstLine(s['uname-s']);
  const release = firstLine(s['uname-r']);
  if (!uname) throw new KernelParseError(tool, '`uname -s` printed nothing: cannot tell the system');
  const kernel = release ? `${uname} ${release}` : uname;
  if (uname === 'OpenBSD') return { kind: 'openbsd', version: release || 'unknown', kernel, label: `OpenBSD ${release || '(release unknown)'}` };
  if (uname !== 'FreeBSD') {
    const bsd = /BSD|DragonFly/i.test(uname);
    return {
      kind: bsd ? 'unsupported-bsd' : 'not-bsd',
      uname: kernel,
      message: bsd
        ? `${kernel} is a BSD this console does not drive: kernel CARP is supported on OpenBSD and FreeBSD (with pfSense and OPNsense)`
        : `${kernel} is not a BSD: it runs carp-agent (deploy it with carpctl deploy)`,
    };
  }
  const opn = opnsenseVersion(s['opnsense-core'], s['opnsense-version']);
  if (opn) return { kind: 'opnsense', version: opn, kernel, label: `OPNsense ${opn} (${kernel})` };
  const platform = firstLine(s['etc-platform']);
  const pfVersion = firstLine(s['etc-version']);
  if (platform === 'pfSense' || firstLine(s.pfssh) === 'present') {
    const version = pfVersion || 'unknown';
    return { kind: 'pfsense', version, kernel, label: `pfSense ${version} (${kernel})` };
  }
  return { kind: 'freebsd', version: release || 'unknown', kernel, label: `FreeBSD ${release || '(release unknown)'}` };
}

export function isKernelSystem(d: Detected): d is KernelSystem {
  return d.kind === 'openbsd' || d.kind === 'freebsd' || d.kind === 'pfsense' || d.kind === 'opnsense';
}
