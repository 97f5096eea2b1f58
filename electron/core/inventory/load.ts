// One entry point for `carpctl --inventory FILE`: detects whether FILE (or a JSON string) is the
// console's inventory, the lab's JSON, an ssh config or an Ansible inventory, and imports it.
import { importAnsible, looksLikeAnsibleYaml } from './ansible.js';
import { importLabJson, isLabJson } from './lab-json.js';
import { parseInventory, type Inventory } from './schema.js';
import { importSshConfig, looksLikeSshConfig } from './ssh-config.js';
import { InventoryError, MAX_INVENTORY_FILE_BYTES, readInventoryText } from './errors.js';

export type InventoryFormat = 'inventory' | 'lab' | 'ssh-config' | 'ansible-ini' | 'ansible-yaml';

/** Detects the format of inventory text. */
export function detectInventoryFormat(text: string, file = ''): InventoryFormat {
  const t = text.trimStart();
  if (t.startsWith('{')) {
    let data: unknown;
    try {
      data = JSON.parse(t);
    } catch (e) {
      throw new InventoryError(`${file || 'inventory'} starts with "{" but is not valid JSON: ${(e as Error).message}`);
    }
    return isLabJson(data) ? 'lab' : 'inventory';
  }
  if (looksLikeSshConfig(text, file)) return 'ssh-config';
  if (looksLikeAnsibleYaml(text, file)) return 'ansible-yaml';
  if (/^[ \t]*\[[^\]\n]+\][ \t]*\r?$/m.test(text) || /\bansible_\w+=/.test(text)) return 'ansible-ini';
  throw new InventoryError(
    `cannot tell what ${file || 'the inventory'} is: expected the console's inventory JSON, the lab's JSON, an ssh config (Host lines) or an Ansible inventory (INI [groups] or YAML all:)`,
  );
}

/** Loads an inventory from a file path or from JSON text (e.g. the lab's `up --json` output). */
export function loadInventory(fileOrLabJson: string): Inventory {
  const isJsonText = fileOrLabJson.trimStart().startsWith('{');
  if (isJsonText && fileOrLabJson.length > MAX_INVENTORY_FILE_BYTES) throw new InventoryError(`the inventory JSON is longer than ${MAX_INVENTORY_FILE_BYTES} characters`);
  const text = isJsonText ? fileOrLabJson : readInventoryText(fileOrLabJson);
  const file = isJsonText ? '' : fileOrLabJson;
  switch (detectInventoryFormat(text, file)) {
    case 'lab':
      return importLabJson(JSON.parse(text));
    case 'inventory':
      return parseInventory(JSON.parse(text), file || 'inventory JSON');
    case 'ssh-config':
      return parseInventory({ hosts: importSshConfig(file) }, file);
    case 'ansible-yaml':
    case 'ansible-ini':
      return parseInventory({ hosts: importAnsible(file) }, file);
  }
}
