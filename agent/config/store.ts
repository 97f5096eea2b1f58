// The config file on disk: load with errors naming field and reason, save atomically keeping
// the previous good copy as FILE.prev.
import { readFileSync, existsSync } from 'node:fs';
import { atomicWriteFile } from './atomic.js';
import { parseAgentConfig, ConfigError, type AgentConfig } from './schema.js';
import { describeJsonError } from './json-error.js';

export const DEFAULT_CONFIG_PATH = '/etc/carp-agent/config.json';

export interface LoadedConfig {
  config: AgentConfig;
  /** true when the file does not exist (the agent then runs no groups). */
  missing: boolean;
}

/** Reads and validates the config file; a missing file means no groups. Throws ConfigError otherwise. */
export function loadConfigFile(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { config: { groups: [] }, missing: true };
    throw new ConfigError(path, [`cannot read the file: ${(e as Error).message}`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // V8's message quotes part of the input (maybe a password): name only the place.
    const where = describeJsonError(text);
    throw new ConfigError(path, [`(file): not valid JSON${where ? ` at ${where}` : ''}; fix the syntax (check it with: jq . ${path})`]);
  }
  return { config: parseAgentConfig(data, path), missing: false };
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
