// Builds the Electron shell: dist/electron/main.cjs (main process, core included) and
// dist/electron/preload.cjs (sandboxed preload: one file that requires only 'electron').
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/electron');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// Electron 45: Node 22, Chromium 140.
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node22', legalComments: 'none', logLevel: 'warning', metafile: true };

const main = await build({
  ...common,
  entryPoints: [join(root, 'electron/main/main.ts')],
  outfile: join(out, 'main.cjs'),
  // Native or optional modules stay outside: koffi (agent side), ssh2's cpu-features and its
  // sshcrypto.node (both loaded in try/catch: ssh2 falls back to JavaScript crypto without them).
  external: ['electron', 'koffi', 'cpu-features', '*.node'],
  // The core finds the repository (package.json, agent/dist) from import.meta.url; in CommonJS that
  // is this bundle's own URL, and dist/electron sits as deep as electron/core.
  banner: { js: '"use strict";\nvar __carp_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__carp_import_meta_url', __CARP_CONSOLE_VERSION__: JSON.stringify(pkg.version) },
});

// The preload runs in the renderer's sandbox, not in Node: browser builds of its dependencies (yaml's
// Node build would require 'process' and 'buffer', which a sandboxed preload cannot load).
const preload = await build({
  ...common,
  platform: 'browser',
  target: 'chrome140',
  entryPoints: [join(root, 'electron/preload/preload.ts')],
  outfile: join(out, 'preload.cjs'),
  external: ['electron'],
});

// A sandboxed preload gets a require() that knows 'electron' and little else: refuse anything more.
const outside = Object.values(preload.metafile.outputs)
  .flatMap((o) => o.imports)
  .filter((i) => i.external && i.path !== 'electron')
  .map((i) => i.path);
if (outside.length) throw new Error(`build-electron: the preload would require ${[...new Set(outside)].join(', ')}; a sandboxed preload can only require 'electron'`);

// The repository's package.json says "type": "module"; these bundles are CommonJS. Name and version
// also make `electron dist/electron` show carp-console and its version.
writeFileSync(join(out, 'package.json'), JSON.stringify({ name: pkg.name, productName: 'carp-console', version: pkg.version, main: 'main.cjs', type: 'commonjs' }, null, 2) + '\n');

for (const [file, meta] of [['main.cjs', main], ['preload.cjs', preload]]) {
  const externals = [...new Set(Object.values(meta.metafile.outputs).flatMap((o) => o.imports).filter((i) => i.external && !i.path.startsWith('node:')).map((i) => i.path))];
  const kb = Math.round(statSync(join(out, file)).size / 1024);
  console.log(`build-electron: ${relative(root, join(out, file))} ${kb} KiB${externals.length ? ` (requires ${externals.join(', ')})` : ''}`);
}
