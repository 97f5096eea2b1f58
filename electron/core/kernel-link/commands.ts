// The agent's control commands (agent/control/messages.ts) carried out on a kernel-CARP host with the
// system's own tools (electron/core/kernel builders), decided here, pure: the commands to run, the
// reply the agent would give, and the commands that undo it (for `rollback`). OpenBSD persists a vhid
// in /etc/hostname.carpN (old file kept as .bak; undo puts it back and runs `sh /etc/netstart carpN`,
// as an operator would); FreeBSD in /etc/rc.conf with sysrc (freebsd-groups.ts). pfSense and OPNsense
// refuse group changes (config.xml owns the interfaces).
import type { ApplyResult } from '../../../agent/control/messages.js';
import type { GroupConfig } from '../../../agent/config/schema.js';
import type { CommandBody } from '../agent-link/agent-link.js';
import { command, type KernelCommand } from '../kernel/command.js';
import { KernelCommandError } from '../kernel/errors.js';
import type { KernelCarpState, KernelVhid } from '../kernel/model.js';
import {
  openbsdApplyVhid, openbsdDemote, openbsdPersistVhid, openbsdSetAdvbase, openbsdSetAdvskew, openbsdSetAllow, openbsdSetLog, openbsdSetPreempt, openbsdUndemote,
} from '../kernel/commands-openbsd.js';
import { freebsdAdjustDemotion, freebsdRefusePersist, maintenanceNote, freebsdSetAllow, freebsdSetLog, freebsdSetPreempt, freebsdSetVhid } from '../kernel/commands-freebsd.js';
import { demotionCounter, maintenanceDemote, operatorDemotion } from './snapshot.js';
import { freebsdDeleteGroup, freebsdPutGroup } from './freebsd-groups.js';

/** A command the kernel backend will not carry out; `code` as the agent's CommandError codes. */
export class KernelRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'KernelRefused';
  }
}

export interface KernelPlan {
  /** Run in order; the first failure stops. */
  commands: KernelCommand[];
  /** What to answer, as the agent would (ApplyResult, { demote, maintenance }, AllowStatus, { log }). */
  reply: unknown;
  /** For a change that makes a revision: the commands that put it back. */
  undo?: KernelCommand[];
}

const openbsd = (s: KernelCarpState) => s.system.kind === 'openbsd';

function vhidOf(s: KernelCarpState, vhid: number, iface?: string): KernelVhid {
  const found = s.vhids.filter((v) => v.vhid === vhid && (iface === undefined || v.carpdev === iface || v.interface === iface));
  if (!found.length) throw new KernelRefused('unknown-vhid', `no vhid ${vhid}${iface ? ` on ${iface}` : ''} on this host (it has: ${s.vhids.map((v) => `${v.vhid} on ${v.carpdev ?? v.interface}`).join(', ') || 'none'})`);
  if (found.length > 1) throw new KernelRefused('ambiguous', `vhid ${vhid} is on ${found.map((v) => v.carpdev).join(' and ')}: name the interface`);
  return found[0];
}

/** The first carpN no vhid uses. */
function freeCarpIf(s: KernelCarpState): string {
  const used = new Set(s.vhids.map((v) => v.interface));
  for (let n = 0; ; n++) if (!used.has(`carp${n}`)) return `carp${n}`;
}

const hostnameFile = (carpIf: string) => `/etc/hostname.${carpIf}`;

/** `sh /etc/netstart carpN`: configures carpN from its hostname file, as OpenBSD does at boot. */
function netstart(carpIf: string): KernelCommand {
  return command(`configure ${carpIf} from ${hostnameFile(carpIf)}`, ['sh', '/etc/netstart', carpIf]);
}
function destroy(carpIf: string): KernelCommand {
  return command(`destroy ${carpIf}`, ['ifconfig', carpIf, 'destroy']);
}
/** Puts hostname.carpN.bak back as hostname.carpN (atomically), or removes the file when there was none before. */
function restoreFile(carpIf: string): KernelCommand {
  return command(`put ${hostnameFile(carpIf)}.bak back as ${hostnameFile(carpIf)}`, ['sh', '-c', 'set -e; f="$1"; cp -p "$f.bak" "$f.carp-console.$$"; mv -f "$f.carp-console.$$" "$f"', 'carp-console-restore', hostnameFile(carpIf)]);
}
/** Keeps hostname.carpN as hostname.carpN.bak and removes it (the vhid does not come back at boot). */
function retireFile(carpIf: string): KernelCommand {
  return command(`remove ${hostnameFile(carpIf)} (kept as ${hostnameFile(carpIf)}.bak)`, ['sh', '-c', 'f="$1"; [ ! -e "$f" ] || mv -f "$f" "$f.bak"', 'carp-console-retire', hostnameFile(carpIf)]);
}
/** Edits one `key N` word of the carp line of hostname.carpN in place (atomically; the old file kept as .bak). */
function editFile(carpIf: string, key: 'advskew' | 'advbase', value: number): KernelCommand {
  return command(`set ${key} ${value} in ${hostnameFile(carpIf)}`, [
    'sh', '-c',
    'set -e; f="$1"; [ -e "$f" ] || exit 0; t="$f.carp-console.$$"; sed "s/ $2 [0-9][0-9]*/ $2 $3/" "$f" > "$t"; chmod 0640 "$t"; ln -f "$f" "$f.bak"; mv -f "$t" "$f"',
    'carp-console-edit', hostnameFile(carpIf), key, String(value),
  ]);
}

/**
 * Keeps `net.inet.carp.<name>=<value>` in /etc/sysctl.conf (read at boot on both systems): any line for
 * it replaced by the new one, written atomically. The live sysctl is set apart.
 */
function persistSysctl(name: 'preempt', value: number): KernelCommand {
  return command(`keep net.inet.carp.${name}=${value} in /etc/sysctl.conf`, [
    'sh', '-c',
    'set -e; f=/etc/sysctl.conf; t="$f.carp-console.$$"; { [ ! -e "$f" ] || grep -v "^[[:space:]]*$1=" "$f" || true; echo "$1=$2"; } > "$t"; chmod 0644 "$t"; mv -f "$t" "$f"',
    'carp-console-sysctl', `net.inet.carp.${name}`, String(value),
  ]);
}

/** preempt on or off, live and kept for the next boot. */
function setPreempt(s: KernelCarpState, on: boolean): KernelCommand[] {
  return [openbsd(s) ? openbsdSetPreempt(on) : freebsdSetPreempt(on), persistSysctl('preempt', on ? 1 : 0)];
}

function refuseHooks(g: GroupConfig): void {
  const hooks = (['upscript', 'downscript'] as const).filter((k) => g[k]);
  if (hooks.length) throw new KernelRefused('invalid', `${hooks.join(' and ')}: kernel CARP runs no hook scripts (use ifstated(8) on OpenBSD, devd(8) on FreeBSD); leave them out for this host`);
}

function groupChanges(system: KernelCarpState['system']): void {
  if (system.kind === 'pfsense' || system.kind === 'opnsense') {
    try {
      freebsdRefusePersist(system);
    } catch (e) {
      throw new KernelRefused('refused', (e as Error).message);
    }
  }
}

const result = (revision: number, dryRun: boolean, r: Partial<ApplyResult>): ApplyResult => ({ revision: dryRun ? revision : revision + 1, dryRun, added: [], removed: [], changed: [], ...r });

/** The demotion commands that take the counter from its value now to `target` (OpenBSD: steps of at most 128). */
function demoteTo(s: KernelCarpState, target: number): KernelCommand[] {
  const now = demotionCounter(s);
  if (target === now) return [];
  if (!openbsd(s)) return [freebsdAdjustDemotion(target - now)];
  const out: KernelCommand[] = [];
  for (let d = target - now; d !== 0; ) {
    const step = Math.sign(d) * Math.min(128, Math.abs(d));
    out.push(step > 0 ? openbsdDemote(step) : openbsdUndemote(-step));
    d -= step;
  }
  return out;
}

/** What the plan of a group change on FreeBSD needs read from the host first: `sysrc -a`. */
export interface HostReads {
  sysrcAll?: string;
}

/** Whether planning `body` on this system needs `sysrc -a` read first (a FreeBSD group change). */
export function needsSysrc(body: CommandBody, s: KernelCarpState): boolean {
  return s.system.kind === 'freebsd' && (body.cmd === 'putGroup' || body.cmd === 'deleteGroup') && !body.dryRun;
}

/** What carrying out `body` on this host means, given its state now and the revision the console keeps for it. */
export function planKernelCommand(body: CommandBody, s: KernelCarpState, revision: number, reads: HostReads = {}): KernelPlan {
  try {
    return plan(body, s, revision, reads);
  } catch (e) {
    if (e instanceof KernelCommandError) throw new KernelRefused('invalid', e.message);
    throw e;
  }
}

function plan(body: CommandBody, s: KernelCarpState, revision: number, reads: HostReads): KernelPlan {
  const op = operatorDemotion(s);
  switch (body.cmd) {
    case 'demote': {
      const value = body.op === 'set' ? body.value : op.demote + body.value;
      if (value < 0 || value > 255 - (op.maintenance ? maintenanceDemote(s) : 0)) throw new KernelRefused('range', `demote would become ${value}; it must stay within 0..255 with maintenance's ${maintenanceDemote(s)} added (it is ${op.demote} now)`);
      return { commands: demoteTo(s, value + (op.maintenance ? maintenanceDemote(s) : 0)), reply: { demote: value, maintenance: op.maintenance } };
    }
    case 'maintenance': {
      // pfSense/OPNsense: their own "persistent CARP maintenance mode" is a separate setting, not changed.
      const note = maintenanceNote(s.system);
      const reply = { demote: op.demote, maintenance: body.on, ...(note ? { note } : {}) };
      if (body.on === op.maintenance) return { commands: [], reply };
      return { commands: demoteTo(s, op.demote + (body.on ? maintenanceDemote(s) : 0)), reply };
    }
    case 'allow':
      return { commands: [openbsd(s) ? openbsdSetAllow(body.on) : freebsdSetAllow(body.on)], reply: { allowed: body.on, leaving: false, persistedOff: false } };
    case 'log':
      return { commands: [openbsd(s) ? openbsdSetLog(body.level) : freebsdSetLog(body.level)], reply: { log: body.level } };
    case 'set': {
      const v = vhidOf(s, body.vhid);
      if (body.key === 'preempt') {
        if (typeof body.value !== 'boolean') throw new KernelRefused('invalid', `preempt takes a boolean, got ${JSON.stringify(body.value)}`);
        // The kernel's preempt is one sysctl for the whole host (net.inet.carp.preempt).
        return { commands: setPreempt(s, body.value), reply: result(revision, false, { changed: s.vhids.map((x) => x.vhid) }), undo: setPreempt(s, s.preempt) };
      }
      if (typeof body.value !== 'number') throw new KernelRefused('invalid', `${body.key} takes a number, got ${JSON.stringify(body.value)}`);
      if (s.system.kind === 'pfsense' || s.system.kind === 'opnsense') groupChanges(s.system);
      if (!openbsd(s)) {
        const p = { parent: v.interface, vhid: v.vhid, advbase: v.advbase, advskew: v.advskew, password: '' };
        // FreeBSD: without `pass` ifconfig keeps the key; live only (rc.conf is not rewritten).
        return { commands: [freebsdSetVhid({ ...p, [body.key]: body.value })], reply: result(revision, false, { changed: [v.vhid] }), undo: [freebsdSetVhid(p)] };
      }
      const set = (key: 'advskew' | 'advbase', n: number) =>
        key === 'advskew' ? [openbsdSetAdvskew(v.interface, n), editFile(v.interface, 'advskew', n)] : [openbsdSetAdvbase(v.interface, n, v.advskew), editFile(v.interface, 'advbase', n)];
      return { commands: set(body.key, body.value), reply: result(revision, false, { changed: [v.vhid] }), undo: set(body.key, body.key === 'advskew' ? v.advskew : v.advbase) };
    }
    case 'putGroup': {
      const g = body.group;
      refuseHooks(g);
      groupChanges(s.system);
      if (!openbsd(s)) {
        const existed = s.vhids.some((v) => v.vhid === g.vhid && v.carpdev === g.interface);
        const reply = result(revision, body.dryRun ?? false, existed ? { changed: [g.vhid] } : { added: [g.vhid] });
        // A dry run builds the commands too (that validates the password for rc.conf), and runs none.
        const f = freebsdPutGroup(s, g, reads.sysrcAll ?? '');
        if (body.dryRun) return { commands: [], reply };
        const pre = g.preempt !== undefined && g.preempt !== s.preempt;
        return { commands: [...f.commands, ...(pre ? setPreempt(s, g.preempt!) : [])], reply, undo: [...f.undo, ...(pre ? setPreempt(s, s.preempt) : [])] };
      }
      const existing = s.vhids.find((v) => v.vhid === g.vhid && v.carpdev === g.interface);
      const clash = s.vhids.find((v) => v.vhid === g.vhid && v.carpdev !== g.interface && v.segment && existing === undefined);
      if (clash) throw new KernelRefused('invalid', `vhid ${g.vhid} is on ${clash.carpdev} (${clash.interface}) on this host; one carp interface per vhid`);
      const carpIf = existing?.interface ?? freeCarpIf(s);
      const spec = { carpIf, vhid: g.vhid, carpdev: g.interface, password: g.password, advbase: g.advbase, advskew: g.advskew, addresses: g.addresses };
      // Built for a dry run too: that validates the password for /etc/hostname.carpN.
      const commands = [...openbsdApplyVhid(spec, existing?.addresses ?? []), openbsdPersistVhid(spec)];
      if (g.preempt !== undefined && g.preempt !== s.preempt) commands.push(...setPreempt(s, g.preempt));
      const reply = result(revision, body.dryRun ?? false, existing ? { changed: [g.vhid] } : { added: [g.vhid] });
      if (body.dryRun) return { commands: [], reply };
      const undo = existing ? [restoreFile(carpIf), destroy(carpIf), netstart(carpIf)] : [destroy(carpIf), retireFile(carpIf)];
      if (g.preempt !== undefined && g.preempt !== s.preempt) undo.push(...setPreempt(s, s.preempt));
      return { commands, reply, undo };
    }
    case 'deleteGroup': {
      groupChanges(s.system);
      const v = vhidOf(s, body.vhid, body.interface);
      const reply = result(revision, body.dryRun ?? false, { removed: [v.vhid] });
      if (body.dryRun) return { commands: [], reply };
      if (!openbsd(s)) return { ...freebsdDeleteGroup(s, v.vhid, v.interface, v.addresses, reads.sysrcAll ?? ''), reply };
      return { commands: [destroy(v.interface), retireFile(v.interface)], reply, undo: [restoreFile(v.interface), netstart(v.interface)] };
    }
    case 'apply':
      throw new KernelRefused('unsupported', 'a kernel-CARP host takes groups one at a time (group apply / group delete), not a whole agent config');
    case 'status':
    case 'rollback':
      throw new KernelRefused('invalid', `${body.cmd} is answered by the link itself`);
  }
}
