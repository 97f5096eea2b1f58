// The config file on disk: load with errors naming field and reason, save atomically keeping
// the previous good copy as FILE.prev.
import { readFileSync, existsSync, statSync } from 'node:fs';
import { atomicWriteFile } from './atomic.js';
import { parseAgentConfig, ConfigError, type AgentConfig } from './schema.js';
import { describeJsonError } from './json-error.js';
import { readBoundedText } from '../boundary/read-file.js';

export const DEFAULT_CONFIG_PATH = '/etc/carp-agent/config.json';
/** A config file larger than this is refused unread (255 groups take a few dozen KiB). */
export const MAX_CONFIG_BYTES = 1 << 20;

export interface LoadedConfig {
  config: AgentConfig;
  /** true when the file does not exist (the agent then runs no groups). */
  missing: boolean;
}

/**
 * Reads and validates the config file; a missing file means no groups. Throws ConfigError otherwise:
 * all or nothing, a file with one bad field is refused as a whole (never a partial config). The error
 * names the file and every bad field, and says where the previous good copy (FILE.prev) is, if any.
 * The agent does not start with FILE.prev by itself: it is the config from before the last change
 * (an old password, advskew or address set), which could set this host against its peers.
 */
export function loadConfigFile(path: string): LoadedConfig {
  try {
    return readConfigFile(path);
  } catch (e) {
    if (e instanceof ConfigError) {
      const hint = prevHint(path);
      if (hint) e.message += `\n  ${hint}`;
    }
    throw e;
  }
}

function readConfigFile(path: string): LoadedConfig {
  let text: string;
  try {
    text = readBoundedText(path, MAX_CONFIG_BYTES, 'a config file');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { config: { groups: [] }, missing: true };
    throw new ConfigError(path, [`cannot read the file: ${(e as Error).message}`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // V8's message quotes part of the input (maybe a password): name only the place.
    if (text.trim() === '') throw new ConfigError(path, ['(file): is empty (truncated?); it must hold {"groups": [...]}']);
    const where = describeJsonError(text);
    throw new ConfigError(path, [`(file): not valid JSON${where ? ` at ${where}` : ''}; fix the syntax (check it with: jq . ${path})`]);
  }
  return { config: parseAgentConfig(data, path), missing: false };
}

/** "the previous good config (saved …) is kept in FILE.prev: …", when FILE.prev exists and is valid. */
function prevHint(path: string): string | null {
  const prev = `${path}.prev`;
  try {
    const r = readConfigFile(prev);
    if (r.missing) return null;
    const saved = new Date(statSync(prev).mtimeMs).toISOString();
    const n = r.config.groups.length;
    return `the config before the last change (${n} group${n === 1 ? '' : 's'}, saved ${saved}) is kept in ${prev}: check it, then \`cp ${prev} ${path}\` to run it`;
  } catch {
    return null;
  }
}

/** Writes the config atomically (mode 0600: it holds passwords); the file it replaces, if valid, becomes FILE.prev. */
export function saveConfigFile(path: string, config: AgentConfig): void {
  const text = JSON.stringify(parseAgentConfig(config, 'config to save'), null, 2) + '\n';
  if (existsSync(path)) {
    try {
      const old = readFileSync(path, 'utf8');
      parseAgentConfig(JSON.parse(old), path);
      if (old !== text) atomicWriteFile(path + '.prev', old);
    } catch {
      // The current file is broken: keep the last good .prev instead of overwriting it.
    }
  }
  atomicWriteFile(path, text);
}
