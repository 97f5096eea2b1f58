// The agent bundle as deploy sees it: the manifest lists every file with a matching sha256, native
// modules for each Linux platform carry their platform, and the bundle runs with plain node.
// In the lab project, not unit: building the bundle may fetch the other platforms' koffi with `npm pack`.
import { describe, expect, it, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readManifest, filesFor } from '../../electron/core/deploy/index.js';

const dist = fileURLToPath(new URL('../../agent/dist', import.meta.url));

beforeAll(() => {
  if (!existsSync(join(dist, 'manifest.json'))) execFileSync(process.execPath, [fileURLToPath(new URL('../../build/build-agent.mjs', import.meta.url))], { stdio: 'inherit' });
});

describe('agent bundle', () => {
  it('lists every file with its true sha256, and natives for linux-x64 and linux-arm64', () => {
    const m = readManifest(dist);
    for (const f of m.files) {
      const data = readFileSync(join(dist, f.path));
      expect({ path: f.path, sha256: createHash('sha256').update(data).digest('hex'), size: data.length }).toEqual({ path: f.path, sha256: f.sha256, size: f.size });
    }
    expect([...new Set(m.files.flatMap((f) => (f.platform ? [f.platform] : [])))].sort()).toEqual(['linux-arm64', 'linux-x64']);
    const arm = filesFor(m, 'linux-arm64');
    expect(arm.some((f) => f.path.endsWith('koffi.node') && f.platform === 'linux-arm64')).toBe(true);
    expect(arm.some((f) => f.platform === 'linux-x64')).toBe(false);
    expect(() => filesFor(m, 'freebsd-x64')).toThrow(/no native files for freebsd-x64/);
  });

  it('runs with plain node and reports the manifest version', () => {
    const m = readManifest(dist);
    expect(execFileSync(process.execPath, [join(dist, 'carp-agent.js'), 'version'], { encoding: 'utf8' }).trim()).toBe(m.version);
    expect(m.version).toMatch(/^\d+\.\d+\.\d+\+[0-9a-f]{8}$/);
  });
});
