// Reads OpenSSH client configs (~/.ssh/config, /etc/ssh/ssh_config): Host blocks, Include (globs),
// first value wins like ssh; imports hosts (wildcard patterns are defaults, not hosts) and answers options.
import { readdirSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { HostSpec } from '../transport.js';
import { matchHostList, matchPattern } from '../ssh/known-hosts.js';
import { InventoryError, readInventoryText } from './errors.js';

/** Files read for one import (the config and every Include), like the nesting limit: a loop ends. */
const MAX_CONFIG_FILES = 256;

interface Directive {
  keyword: string; // lower-case
  args: string[];
  file: string;
  line: number;
}

interface Block {
  /** null: the options before the first Host line (apply to every host). */
  patterns: string[] | null;
  /** Match blocks are not evaluated: they never apply. */
  never?: boolean;
  directives: Directive[];
}

export interface SshConfigOptions {
  /** Home folder for ~ and relative Include paths (default: os.homedir()). */
  home?: string;
  /** Default user when the config names none (default: the current user). */
  defaultUser?: string;
}

/** Splits a config line into words, honouring double quotes and `Keyword=value`. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[1] ?? m[2]);
  return out;
}

/** `~` and `~/…` as the shell expands them. */
export function expandTilde(p: string, home: string = homedir()): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}

/** Expands a glob with * and ? in the last path components (enough for ssh's Include). */
function expandGlob(pattern: string): string[] {
  if (!/[*?]/.test(pattern)) return [pattern];
  const parts = pattern.split('/');
  let bases = [parts[0] === '' ? '/' : parts[0]];
  for (const part of parts.slice(1)) {
    const next: string[] = [];
    for (const b of bases) {
      if (!/[*?]/.test(part)) {
        next.push(join(b, part));
        continue;
      }
      let names: string[] = [];
      try {
        names = readdirSync(b);
      } catch {
        continue;
      }
      for (const n of names.sort()) if (!n.startsWith('.') && matchPattern(n, part)) next.push(join(b, n));
    }
    bases = next;
  }
  return bases;
}

/** Reads a config and its Includes; relative Include paths are relative to `relDir` (~/.ssh, or /etc/ssh for the system's). */
function readDirectives(file: string, home: string, depth: number, out: Directive[], relDir = join(home, '.ssh'), files = { read: 0 }): void {
  if (depth > 16) throw new InventoryError(`ssh config ${file}: Include nested more than 16 levels (a loop?)`);
  if (++files.read > MAX_CONFIG_FILES) throw new InventoryError(`ssh config ${file}: more than ${MAX_CONFIG_FILES} files included (a loop?)`);
  const text = readInventoryText(file, 'an ssh config file');
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) return;
    const keyword = m[1].toLowerCase();
    const args = splitArgs(m[2]);
    if (keyword === 'include') {
      for (const a of args) {
        const p = expandTilde(a, home);
        const abs = isAbsolute(p) ? p : join(relDir, p);
        for (const f of expandGlob(abs)) {
          try {
            if (!statSync(f).isFile()) continue;
          } catch {
            continue; // ssh silently skips Include targets that do not exist
          }
          readDirectives(f, home, depth + 1, out, relDir, files);
        }
      }
      return;
    }
    out.push({ keyword, args, file, line: i + 1 });
  });
}

function toBlocks(directives: Directive[]): Block[] {
  const blocks: Block[] = [{ patterns: null, directives: [] }];
  for (const d of directives) {
    if (d.keyword === 'host') blocks.push({ patterns: d.args, directives: [] });
    else if (d.keyword === 'match') blocks.push({ patterns: [], never: true, directives: [] });
    else blocks[blocks.length - 1].directives.push(d);
  }
  return blocks;
}

const isConcrete = (p: string) => !p.startsWith('!') && !/[*?]/.test(p);

/** Resolves the options for one host alias like ssh does: first value wins; IdentityFile accumulates. */
function resolve(blocks: Block[], alias: string): Map<string, string[][]> {
  const opts = new Map<string, string[][]>();
  for (const b of blocks) {
    if (b.never) continue;
    if (b.patterns && !matchHostList(alias, b.patterns.join(','))) continue;
    for (const d of b.directives) {
      const list = opts.get(d.keyword) ?? [];
      if (list.length && d.keyword !== 'identityfile') continue;
      list.push(d.args);
      opts.set(d.keyword, list);
    }
  }
  return opts;
}

function expandTokens(s: string, tokens: Record<string, string>): string {
  return s.replace(/%([%a-zA-Z])/g, (all, c: string) => (c === '%' ? '%' : (tokens[c] ?? all)));
}

/** Reads an ssh client config file (and its Includes) and returns one HostSpec per concrete Host alias. */
export function importSshConfig(path: string, opts: SshConfigOptions = {}): HostSpec[] {
  const home = opts.home ?? homedir();
  const localUser = opts.defaultUser ?? userInfo().username;
  const directives: Directive[] = [];
  readDirectives(expandTilde(path, home), home, 0, directives);
  const blocks = toBlocks(directives);
  const aliases: string[] = [];
  for (const b of blocks) for (const p of b.patterns ?? []) if (!b.never && isConcrete(p) && !aliases.includes(p)) aliases.push(p);
  return aliases.map((alias) => {
    const o = resolve(blocks, alias);
    const first = (k: string) => o.get(k)?.[0]?.[0];
    const hostName = expandTokens(first('hostname') ?? alias, { h: alias, n: alias });
    const user = first('user') ?? localUser;
    const portText = first('port') ?? '22';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new InventoryError(`ssh config: Host ${alias} has Port "${portText}", which is not a port number (1..65535)`);
    const tokens = { h: hostName, n: alias, r: user, u: localUser, d: home, p: String(port), '%': '%' };
    const identityFiles = (o.get('identityfile') ?? [])
      .map((a) => a[0])
      .filter((f) => f && f.toLowerCase() !== 'none')
      .map((f) => expandTilde(expandTokens(f, tokens), home));
    const jumpRaw = first('proxyjump');
    const spec: HostSpec = { name: alias, address: hostName, port, user, identityFiles, tags: [] };
    if (jumpRaw && jumpRaw.toLowerCase() !== 'none') spec.jump = jumpRaw.split(',')[0]; // first hop only
    return spec;
  });
}

/**
 * The arguments of the first `keyword` that applies to host `alias` in these configs, read in order (the
 * user's, then the system's) with the first value winning, as ssh does; undefined when none sets it.
 * Missing files are skipped; `home` resolves ~.
 */
export function sshConfigValue(files: { file: string; relDir: string }[], alias: string, keyword: string, home: string = homedir()): string[] | undefined {
  const blocks: Block[] = [];
  for (const f of files) {
    try {
      if (!statSync(f.file).isFile()) continue;
    } catch {
      continue;
    }
    const directives: Directive[] = [];
    readDirectives(f.file, home, 0, directives, f.relDir);
    // Per file: its lines before the first Host apply to every host.
    blocks.push(...toBlocks(directives));
  }
  return resolve(blocks, alias).get(keyword.toLowerCase())?.[0];
}

/** True when text looks like an ssh client config (has Host lines or typical keywords). */
export function looksLikeSshConfig(text: string, file = ''): boolean {
  if (basename(file) === 'config' && basename(dirname(file)) === '.ssh') return true;
  return /^[ \t]*(Host|HostName|IdentityFile|ProxyJump|Include)[ \t]+\S/im.test(text) && !/^[ \t]*\[[^\]\n]+\][ \t]*\r?$/m.test(text);
}
