// launch.ts's pure parts: the launch decision, the Electron binary lookup (as electron's index.js
// does it, without its download) and the argument check.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkArgs, chooseLaunch, electronBinary } from './launch.js';

const dir = mkdtempSync(join(tmpdir(), 'carp-launch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run app', () => {
  it('runs the binary when present, else fetches it once, else opens the web console', () => {
    expect(chooseLaunch({ binaryPresent: true })).toBe('electron');
    expect(chooseLaunch({ binaryPresent: true, fetchOk: true })).toBe('electron');
    expect(chooseLaunch({ binaryPresent: false })).toBe('fetch');
    expect(chooseLaunch({ binaryPresent: false, fetchOk: false })).toBe('web');
    // install.js said yes but there is still no binary: no second fetch.
    expect(chooseLaunch({ binaryPresent: false, fetchOk: true })).toBe('web');
  });

  it('finds the binary from path.txt and dist, or ELECTRON_OVERRIDE_DIST_PATH, and null otherwise', () => {
    const pkg = join(dir, 'electron');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    expect(electronBinary(pkg, {})).toBeNull(); // no path.txt: install.js never ran (as here)
    writeFileSync(join(pkg, 'path.txt'), 'electron');
    expect(electronBinary(pkg, {})).toBeNull(); // path.txt without the file
    writeFileSync(join(pkg, 'dist', 'electron'), '');
    expect(electronBinary(pkg, {})).toBe(join(pkg, 'dist', 'electron'));
    const other = join(dir, 'override');
    mkdirSync(other);
    expect(electronBinary(pkg, { ELECTRON_OVERRIDE_DIST_PATH: other })).toBeNull();
    writeFileSync(join(other, 'electron'), '');
    expect(electronBinary(pkg, { ELECTRON_OVERRIDE_DIST_PATH: other })).toBe(join(other, 'electron'));
  });

  it('reports the binary of this checkout as it is (absent here: no dist in node_modules/electron)', () => {
    const bin = electronBinary();
    expect(bin === null || typeof bin === 'string').toBe(true);
  });

  it('accepts --inventory FILE and --read-only, and refuses anything else', () => {
    expect(checkArgs([])).toEqual({ help: false });
    expect(checkArgs(['--inventory', 'lab.json', '--read-only'])).toEqual({ help: false });
    expect(checkArgs(['--inventory=hosts.yaml'])).toEqual({ help: false });
    expect(checkArgs(['--help'])).toEqual({ help: true });
    expect(checkArgs(['--inventory'])).toEqual({ help: false, error: '--inventory needs a file' });
    expect(checkArgs(['--inventory', '--read-only'])).toMatchObject({ error: '--inventory needs a file' });
    expect(checkArgs(['--port', '80'])).toEqual({ help: false, error: 'unknown argument --port' });
  });
});
