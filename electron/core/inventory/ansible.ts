// Imports hosts from an Ansible inventory, INI or YAML: groups become tags (parents included),
// ansible_host / ansible_port / ansible_user / ansible_ssh_private_key_file become the connection.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { HostSpec } from '../transport.js';
import { InventoryError, readInventoryText } from './errors.js';
import { MAX_NESTING, nestsDeeperThan } from '../../../agent/boundary/nesting.js';

/** One host pattern expands to at most this many hosts; children nest at most MAX_GROUP_DEPTH deep. */
export const MAX_RANGE_HOSTS = 4096;
const MAX_GROUP_DEPTH = 64;

type Vars = Record<string, unknown>;

interface Group {
  hosts: Map<string, Vars>;
  vars: Vars;
  children: Set<string>;
}

class Model {
  groups = new Map<string, Group>();
  hostOrder: string[] = [];
  group(name: string): Group {
    let g = this.groups.get(name);
    if (!g) this.groups.set(name, (g = { hosts: new Map(), vars: {}, children: new Set() }));
    return g;
  }
  addHost(group: string, host: string, vars: Vars): void {
    const g = this.group(group);
    g.hosts.set(host, { ...(g.hosts.get(host) ?? {}), ...vars });
    if (!this.hostOrder.includes(host)) this.hostOrder.push(host);
  }
}

/** Expands Ansible host ranges: web[01:03] → web01, web02, web03; db[a:c] → dba, dbb, dbc. */
export function expandHostRange(pattern: string): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const m = /^(.*)\[([0-9a-z]+):([0-9a-z]+)(?::(\d+))?\](.*)$/i.exec(p);
    if (!m) {
      if (out.length >= MAX_RANGE_HOSTS) throw new InventoryError(`Ansible host pattern ${pattern.slice(0, 100)} expands to more than ${MAX_RANGE_HOSTS} hosts`);
      out.push(p);
      return;
    }
    const [, pre, from, to, stepText, post] = m;
    const step = Number(stepText ?? 1);
    if (!(step >= 1)) throw new InventoryError(`Ansible host pattern ${pattern.slice(0, 100)}: the step must be 1 or more`);
    if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
      const width = from.length;
      for (let i = Number(from); i <= Number(to); i += step) walk(pre + String(i).padStart(width, '0') + post);
    } else {
      for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c += step) walk(pre + String.fromCharCode(c) + post);
    }
  };
  walk(pattern);
  return out;
}

/** Parses `key=value key2="quoted value"` pairs of an INI host line. */
function parseKv(s: string): Vars {
  const out: Vars = {};
  const re = /(\w+)=("([^"]*)"|'([^']*)'|\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out[m[1]] = m[3] ?? m[4] ?? m[2];
  return out;
}

export function parseAnsibleIni(text: string): Model {
  const model = new Model();
  let section = 'ungrouped';
  let kind: 'hosts' | 'vars' | 'children' = 'hosts';
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const sec = /^\[([^\]:]+)(?::(vars|children))?\]$/.exec(line);
    if (sec) {
      section = sec[1];
      kind = (sec[2] as 'vars' | 'children' | undefined) ?? 'hosts';
      model.group(section);
      return;
    }
    if (kind === 'vars') {
      const kv = /^([^=\s]+)\s*=\s*(.*)$/.exec(line);
      if (!kv) throw new InventoryError(`Ansible INI line ${i + 1}: "${line}" in [${section}:vars] is not key=value`);
      model.group(section).vars[kv[1]] = kv[2].replace(/^(["'])(.*)\1$/, '$2');
    } else if (kind === 'children') {
      model.group(section).children.add(line.split(/\s+/)[0]);
      model.group(line.split(/\s+/)[0]);
    } else {
      const [name, ...rest] = line.split(/\s+/);
      const vars = parseKv(rest.join(' '));
      for (const h of expandHostRange(name)) model.addHost(section, h, vars);
    }
  });
  return model;
}

function loadYamlGroup(model: Model, name: string, node: unknown, path: string, depth = 0): void {
  if (depth > MAX_GROUP_DEPTH) throw new InventoryError(`Ansible YAML: group ${path.slice(0, 200)} nests children more than ${MAX_GROUP_DEPTH} deep (a loop through an alias?)`);
  const g = model.group(name);
  if (node === null || node === undefined) return;
  if (typeof node !== 'object' || Array.isArray(node)) throw new InventoryError(`Ansible YAML: group ${path} must be a mapping with hosts, vars or children`);
  const n = node as Record<string, unknown>;
  if (n.vars && typeof n.vars === 'object') Object.assign(g.vars, n.vars);
  if (n.hosts && typeof n.hosts === 'object') {
    for (const [h, v] of Object.entries(n.hosts as Record<string, unknown>))
      for (const host of expandHostRange(h)) model.addHost(name, host, (v && typeof v === 'object' ? v : {}) as Vars);
  }
  if (n.children && typeof n.children === 'object') {
    for (const [c, cn] of Object.entries(n.children as Record<string, unknown>)) {
      g.children.add(c);
      loadYamlGroup(model, c, cn, `${path}.children.${c}`, depth + 1);
    }
  }
}

export function parseAnsibleYaml(text: string): Model {
  if (nestsDeeperThan(text)) throw new InventoryError(`Ansible YAML inventory nests [ or { more than ${MAX_NESTING} deep`);
  let doc: unknown;
  try {
    doc = parseYaml(text, { logLevel: 'error' });
  } catch (e) {
    throw new InventoryError(`Ansible YAML inventory is not valid YAML: ${(e as Error).message.slice(0, 300)}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new InventoryError('Ansible YAML inventory must be a mapping of groups (usually starting with "all:")');
  const model = new Model();
  for (const [name, node] of Object.entries(doc as Record<string, unknown>)) loadYamlGroup(model, name, node, name);
  return model;
}

/** Turns a parsed Ansible model into HostSpecs: vars of ancestors first, nearer groups and host vars win. */
export function modelToHosts(model: Model, home = homedir()): HostSpec[] {
  const parents = new Map<string, string[]>();
  for (const [name, g] of model.groups) for (const c of g.children) parents.set(c, [...(parents.get(c) ?? []), name]);
  const ancestors = (group: string, seen = new Set<string>()): string[] => {
    if (seen.has(group)) return [];
    seen.add(group);
    return (parents.get(group) ?? []).flatMap((p) => [...ancestors(p, seen), p]);
  };
  return model.hostOrder.map((host) => {
    const direct = [...model.groups].filter(([, g]) => g.hosts.has(host)).map(([n]) => n);
    const chain: string[] = [];
    for (const d of direct) for (const a of [...ancestors(d), d]) if (!chain.includes(a)) chain.push(a);
    if (!chain.includes('all') && model.groups.has('all')) chain.unshift('all');
    const vars: Vars = {};
    for (const g of chain) Object.assign(vars, model.groups.get(g)!.vars);
    for (const d of direct) Object.assign(vars, model.groups.get(d)!.hosts.get(host));
    const str = (...keys: string[]) => {
      for (const k of keys) {
        const v = vars[k];
        if (v === undefined || v === null) continue;
        return typeof v === 'string' ? v : JSON.stringify(v); // numbers and booleans print as String would
      }
      return undefined;
    };
    const portText = str('ansible_port', 'ansible_ssh_port') ?? '22';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new InventoryError(`Ansible inventory: host ${host} has ansible_port "${portText}", which is not a port number (1..65535)`);
    const key = str('ansible_ssh_private_key_file', 'ansible_private_key_file');
    const spec: HostSpec = {
      name: host,
      address: str('ansible_host', 'ansible_ssh_host') ?? host,
      port,
      user: str('ansible_user', 'ansible_ssh_user') ?? 'root',
      identityFiles: key ? [key.startsWith('~/') ? join(home, key.slice(2)) : key] : [],
      tags: chain.filter((g) => g !== 'all' && g !== 'ungrouped'),
    };
    const common = str('ansible_ssh_common_args', 'ansible_ssh_extra_args') ?? '';
    const jump = /(?:-J\s+|ProxyJump[= ])(\S+)/.exec(common.replace(/['"]/g, ''));
    if (jump) spec.jump = jump[1];
    return spec;
  });
}

/** Reads an Ansible inventory file (YAML when it parses as a mapping with hosts/children, INI otherwise). */
export function importAnsible(path: string, opts: { home?: string } = {}): HostSpec[] {
  const text = readInventoryText(path, 'an Ansible inventory');
  return modelToHosts(looksLikeAnsibleYaml(text, path) ? parseAnsibleYaml(text) : parseAnsibleIni(text), opts.home);
}

export function looksLikeAnsibleYaml(text: string, file = ''): boolean {
  if (/\.ya?ml$/i.test(file)) return true;
  return /^[\w.-]+:[ \t]*\r?$/m.test(text) && /^[ \t]+(hosts|children|vars):/m.test(text);
}
