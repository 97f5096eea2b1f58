// The installers' configuration (build/electron-builder.json) against what `npm run build` makes: the
// config passes electron-builder's own schema, every file and extra resource it lists exists, and in a
// simulated installed layout (resources/app + resources/agent) the core's lookup finds the agent bundle.
// Lab project (needs the build). Building real installers needs the Electron download: not done here.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { filesFor, readManifest } from '../../electron/core/deploy/index.js';
import { PACKAGED_AGENT_DIR, agentBundleCandidates, locateAgentBundle } from '../../electron/core/deploy/bundle-location.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = join(ROOT, 'build/electron-builder.json');

interface BuilderConfig {
  extraMetadata: { main: string };
  files: string[];
  extraResources: Array<{ from: string; to: string; filter: string[] }>;
  linux: { target: string[] };
  mac: { target: string[] };
  win: { target: string[] };
}
const config = JSON.parse(readFileSync(CONFIG, 'utf8')) as BuilderConfig;

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/electron/main.cjs')) || !existsSync(join(ROOT, 'agent/dist/manifest.json')) || !existsSync(join(ROOT, 'dist/renderer/index.html')))
    execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
});

/** Files under dir, relative, '/'-separated. */
function walk(dir: string, base = ''): string[] {
  return readdirSync(join(dir, base), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(dir, join(base, e.name)) : [join(base, e.name)]));
}

describe('build/electron-builder.json', () => {
  it("passes electron-builder's own schema and targets AppImage + deb, dmg and nsis", async () => {
    const require = createRequire(import.meta.url);
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as { validateConfiguration: (c: unknown, log: unknown) => Promise<void> };
    const log = { isEnabled: false, add() {} };
    await expect(validateConfiguration(config, log)).resolves.toBeUndefined();
    // the validator does fail on a wrong key (so the pass above means something)
    await expect(validateConfiguration({ ...config, linux: { ...config.linux, targets: ['deb'] } }, log)).rejects.toThrow(/Invalid configuration/);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
  });

  it('lists files that exist after `npm run build`, the main entry among them', () => {
    for (const f of config.files.filter((p) => !p.startsWith('!'))) {
      const dir = f.replace(/\/\*\*\/\*$/, '');
      if (dir !== f) expect(readdirSync(join(ROOT, dir)).length, f).toBeGreaterThan(0);
      else expect(existsSync(join(ROOT, f)), f).toBe(true);
    }
    expect(config.files).toContain(config.extraMetadata.main);
    expect(config.extraMetadata.main).toBe('dist/electron/main.cjs');
    expect(existsSync(join(ROOT, 'dist/renderer/index.html'))).toBe(true);
    expect(readFileSync(join(ROOT, 'package.json'), 'utf8')).toMatch(/"dist": "npm run build && electron-builder --config build\/electron-builder.json/);
  });

  it('ships agent/dist (bundle, manifest, native modules) as the extra resource the core looks for', () => {
    expect(config.extraResources).toEqual([{ from: 'agent/dist', to: PACKAGED_AGENT_DIR, filter: ['**/*'] }]);
    const m = readManifest(join(ROOT, 'agent/dist'));
    for (const f of m.files) expect(existsSync(join(ROOT, 'agent/dist', f.path)), f.path).toBe(true);
    expect(m.files.some((f) => f.path.endsWith('koffi.node'))).toBe(true);
  });
});

describe('the installed layout, simulated', () => {
  it("finds the agent bundle in resources/agent from the main bundle's own location, and deploys every file the manifest lists", () => {
    const tmp = mkdtempSync(join(tmpdir(), 'carp-installed-'));
    try {
      // resources/app is what app.asar holds (files + package.json with main), resources/agent the extra resource
      const resources = join(tmp, 'resources');
      const app = join(resources, 'app');
      for (const f of config.files.filter((p) => !p.startsWith('!') && p !== 'package.json')) {
        const src = f.replace(/\/\*\*\/\*$/, '');
        cpSync(join(ROOT, src), join(app, src), { recursive: true });
      }
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(app, 'package.json'), JSON.stringify({ ...pkg, ...config.extraMetadata }));
      for (const r of config.extraResources) cpSync(join(ROOT, r.from), join(resources, r.to), { recursive: true });
      mkdirSync(join(tmp, 'elsewhere'));

      // the core computes its root from import.meta.url, which in main.cjs is the bundle's own file
      const main = join(app, config.extraMetadata.main);
      expect(existsSync(main)).toBe(true);
      const root = fileURLToPath(new URL('../..', pathToFileURL(main)));
      expect(existsSync(join(root, 'package.json'))).toBe(true);
      // the packaged main bundle carries the lookup
      expect(readFileSync(main, 'utf8')).toContain('resourcesPath');

      const dir = locateAgentBundle(agentBundleCandidates({ resourcesPath: resources, root }));
      expect(dir).toBe(join(resources, PACKAGED_AGENT_DIR));
      const m = readManifest(dir);
      for (const platform of ['linux-x64', 'linux-arm64']) {
        for (const f of filesFor(m, platform)) {
          const data = readFileSync(join(dir, f.path));
          expect(createHash('sha256').update(data).digest('hex'), f.path).toBe(f.sha256);
        }
      }
      // nothing of the bundle was left out by the copy
      expect(walk(dir).sort()).toEqual(walk(join(ROOT, 'agent/dist')).sort());
      // without the extra resource no candidate holds a bundle: the lookup names resources/agent (deploy says where it looked)
      rmSync(join(resources, PACKAGED_AGENT_DIR), { recursive: true });
      expect(locateAgentBundle(agentBundleCandidates({ resourcesPath: resources, root }))).toBe(join(resources, PACKAGED_AGENT_DIR));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
