// A vhid created, changed or removed on FreeBSD the system's way (pure): live with ifconfig on the parent,
// and in /etc/rc.conf as ifconfig_<if>_alias<n> lines through sysrc, renumbered without gaps (older rc.d
// stops at the first missing number). The plan starts from the aliases `sysrc -a` printed just before;
// its undo puts those lines back and re-adds the old VIPs with their old lines (they hold the old key).
import type { GroupConfig } from '../../../agent/config/schema.js';
import { arg, command, secret, type KernelCommand } from '../kernel/command.js';
import { freebsdAliasVar, freebsdApplyVhid, freebsdRefusePersist, freebsdRemoveVip, type FreebsdVhidParams } from '../kernel/commands-freebsd.js';
import { checkPersistablePassword } from '../kernel/validate.js';
import type { KernelCarpState } from '../kernel/model.js';

/** `sysrc -a` ("name: value" lines) → the parent's alias values by index. */
export function aliasesOf(sysrcAll: string, parent: string): Map<number, string> {
  const prefix = freebsdAliasVar(parent, 0).slice(0, -1);
  const out = new Map<number, string>();
  for (const line of sysrcAll.split('\n')) {
    const i = line.indexOf(': ');
    if (i < 0) continue;
    const name = line.slice(0, i);
    if (name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length))) out.set(Number(name.slice(prefix.length)), line.slice(i + 2));
  }
  return out;
}

const ofVhid = (value: string, vhid: number) => new RegExp(`(^|\\s)vhid ${vhid}(\\s|$)`).test(value);

/** A value as a sysrc argument with any `pass X` shown as REDACTED. */
function valueArg(name: string, value: string): { value: string; shown: string } {
  const m = /^(.*\spass )(\S+)(.*)$/.exec(value);
  return m ? arg(`${name}=${m[1]}`, secret(m[2]), m[3]) : arg(`${name}=${value}`);
}

/** sysrc lines that turn the parent's aliases `from` (index → value) into the list `to` (index 0…). */
function rewrite(parent: string, from: Map<number, string>, to: string[]): KernelCommand[] {
  const out: KernelCommand[] = [];
  to.forEach((v, i) => {
    if (from.get(i) !== v) out.push(command(`set ${freebsdAliasVar(parent, i)} in /etc/rc.conf`, ['sysrc', valueArg(freebsdAliasVar(parent, i), v)]));
  });
  const drop = [...from.keys()].filter((i) => i >= to.length).sort((a, b) => a - b);
  if (drop.length) out.push(command(`remove ${drop.map((i) => freebsdAliasVar(parent, i)).join(', ')} from /etc/rc.conf`, ['sysrc', '-x', ...drop.map((i) => freebsdAliasVar(parent, i))]));
  return out;
}

/** The old VIPs of the vhid put back live from their rc.conf lines (`ifconfig em0 <line> alias`). */
function readd(parent: string, lines: string[]): KernelCommand[] {
  return lines.map((l) => {
    const words = l.split(/\s+/).filter(Boolean);
    const at = words.indexOf('pass');
    return command(`put back ${words[1] ?? ''} on ${parent}`, ['ifconfig', parent, ...words.map((w, i) => (at >= 0 && i === at + 1 ? secret(w) : w)), 'alias']);
  });
}

const ordered = (m: Map<number, string>) => [...m].sort((a, b) => a[0] - b[0]).map(([, v]) => v);

export function freebsdPutGroup(s: KernelCarpState, g: GroupConfig, sysrcAll: string): { commands: KernelCommand[]; undo: KernelCommand[]; existed: boolean } {
  freebsdRefusePersist(s.system);
  checkPersistablePassword(g.password, '/etc/rc.conf');
  const parent = g.interface;
  const p: FreebsdVhidParams = { parent, vhid: g.vhid, advbase: g.advbase, advskew: g.advskew, password: g.password };
  const existing = s.vhids.find((v) => v.vhid === g.vhid && v.carpdev === parent);
  const live = freebsdApplyVhid(p, g.addresses, existing?.addresses ?? []);
  const before = aliasesOf(sysrcAll, parent);
  const kept = ordered(before).filter((v) => !ofVhid(v, g.vhid));
  const mine = g.addresses.map((a) => `inet ${a} vhid ${g.vhid} advbase ${g.advbase} advskew ${g.advskew}${g.password ? ` pass ${g.password}` : ''}`);
  const old = ordered(before).filter((v) => ofVhid(v, g.vhid));
  const undo = [...g.addresses.map((a) => freebsdRemoveVip(parent, a)), ...readd(parent, old), ...rewrite(parent, new Map([...kept, ...mine].map((v, i) => [i, v])), ordered(before))];
  return { commands: [...live, ...rewrite(parent, before, [...kept, ...mine])], undo, existed: existing !== undefined };
}

export function freebsdDeleteGroup(s: KernelCarpState, vhid: number, parent: string, addresses: string[], sysrcAll: string): { commands: KernelCommand[]; undo: KernelCommand[] } {
  freebsdRefusePersist(s.system);
  const before = aliasesOf(sysrcAll, parent);
  const kept = ordered(before).filter((v) => !ofVhid(v, vhid));
  const old = ordered(before).filter((v) => ofVhid(v, vhid));
  return {
    commands: [...addresses.map((a) => freebsdRemoveVip(parent, a)), ...rewrite(parent, before, kept)],
    undo: [...readd(parent, old), ...rewrite(parent, new Map(kept.map((v, i) => [i, v])), ordered(before))],
  };
}
