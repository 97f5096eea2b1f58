// Reading a group file from disk (`carpctl group apply FILE`): bounded before it is read, then the one
// parser (group-spec.ts, which stays free of Node so the renderer can import the schema).
import { FileTooLargeError, readBoundedText } from '../../../agent/boundary/read-file.js';
import { MAX_GROUP_FILE_BYTES, SpecError, parseGroupSpecText, type GroupSpec } from './group-spec.js';
import { parseGroupFileText, type GroupFile } from './balanced-spec.js';

/** Reads and parses a group file; too large or not a file is a SpecError naming it; fs errors (ENOENT…) pass as they are. */
export function readGroupSpecFile(path: string): GroupSpec {
  return parseGroupSpecText(readGroupText(path), path);
}

/** Reads and parses a group file that may also be a balanced set (`balance`, balanced-spec.ts): what `carpctl group apply` takes. */
export function readGroupFile(path: string): GroupFile {
  return parseGroupFileText(readGroupText(path), path);
}

function readGroupText(path: string): string {
  let text: string;
  try {
    text = readBoundedText(path, MAX_GROUP_FILE_BYTES, 'a group file');
  } catch (e) {
    if (e instanceof FileTooLargeError) throw new SpecError(path, [`(file): ${e.message}`]);
    throw e;
  }
  return text;
}
