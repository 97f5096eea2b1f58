// The inventory importers' one error type and their size limit: a file (or pasted text) that cannot be
// an inventory is refused with a message naming it and what is wrong, read only up to the limit.
import { FileTooLargeError, readBoundedText } from '../../../agent/boundary/read-file.js';
import { MAX_IMPORT_TEXT } from '../contract.js';

/** The largest inventory file read (the stored inventory, an ssh_config and each Include, an Ansible or lab file). */
export const MAX_INVENTORY_FILE_BYTES = MAX_IMPORT_TEXT;

/** An inventory that cannot be read as one: the message names the file or line and what to fix. */
export class InventoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InventoryError';
  }
}

/** The file's text, refused unread (InventoryError) above MAX_INVENTORY_FILE_BYTES; fs errors pass as they are. */
export function readInventoryText(path: string, what = 'an inventory file'): string {
  try {
    return readBoundedText(path, MAX_INVENTORY_FILE_BYTES, what);
  } catch (e) {
    if (e instanceof FileTooLargeError) throw new InventoryError(e.message);
    throw e;
  }
}
