// The inventory module's public face: schema, store, importers and loadInventory.
export { HostSpecSchema, InventorySchema, parseInventory, type Inventory } from './schema.js';
export { configDir, consoleKnownHostsPath, defaultInventoryPath, readInventory, writeInventory } from './store.js';
export { importSshConfig } from './ssh-config.js';
export { importAnsible, expandHostRange } from './ansible.js';
export { importLabJson, isLabJson, LabJsonSchema } from './lab-json.js';
export { loadInventory, detectInventoryFormat, type InventoryFormat } from './load.js';
export { mergeInventory, type MergeResult } from './merge.js';
