// Builds the agent bundle: agent/dist/carp-agent.js (one CommonJS file for Node >= 18) plus a minimal
// koffi and its native modules under agent/dist/node_modules, and agent/dist/manifest.json.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync, rmSync, cpSync, existsSync, readdirSync, statSync, chmodSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'agent/dist');
const nm = join(root, 'node_modules');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const common = {
  entryPoints: [join(root, 'agent/cli.ts')],
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  external: ['koffi'],
  legalComments: 'none',
  logLevel: 'warning',
  // The bundle is CommonJS: code that asks import.meta.url falls back to __filename.
  define: {},
};
const defines = (v) => ({ 'import.meta.url': 'undefined', __CARP_AGENT_VERSION__: JSON.stringify(v) });

// Pass 1: bundle without writing, to hash the code; pass 2: inject the version.
const probe = await build({ ...common, write: false, define: defines('0.0.0+0') });
const hash = createHash('sha256').update(probe.outputFiles[0].contents).digest('hex').slice(0, 8);
const version = `${pkg.version}+${hash}`;

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await build({
  ...common,
  outfile: join(dist, 'carp-agent.js'),
  define: defines(version), // agent/cli.ts starts with #!/usr/bin/env node, which esbuild keeps
});
chmodSync(join(dist, 'carp-agent.js'), 0o755);
// The repository's package.json says "type": "module"; this bundle is CommonJS wherever it lies.
writeFileSync(join(dist, 'package.json'), JSON.stringify({ type: 'commonjs', version }) + '\n');

// Minimal koffi: the JS loader files it requires at run time.
const koffiFiles = ['package.json', 'index.cjs', 'src/koffi/index.cjs', 'src/koffi/src/static.cjs', 'LICENSE.txt'];
for (const f of koffiFiles) {
  const from = join(nm, 'koffi', f);
  if (!existsSync(from)) {
    if (f === 'LICENSE.txt') continue;
    throw new Error(`build-agent: ${from} is missing; run npm install`);
  }
  mkdirSync(dirname(join(dist, 'node_modules/koffi', f)), { recursive: true });
  cpSync(from, join(dist, 'node_modules/koffi', f));
}

// Native modules: every @koromix/koffi-<platform>-<arch> package that is installed.
const wanted = ['linux-x64', 'linux-arm64', 'freebsd-x64', 'openbsd-x64'];
const nativeDir = join(nm, '@koromix');
const platforms = existsSync(nativeDir)
  ? readdirSync(nativeDir).filter((d) => d.startsWith('koffi-')).map((d) => d.slice('koffi-'.length))
  : [];
const shipped = platforms.filter((p) => wanted.includes(p) || platforms.length > 0);
for (const p of shipped) cpSync(join(nativeDir, `koffi-${p}`), join(dist, `node_modules/@koromix/koffi-${p}`), { recursive: true });
if (!shipped.includes('linux-x64')) throw new Error('build-agent: @koromix/koffi-linux-x64 is not installed; run npm install');

// Manifest: every file with its sha256; native packages carry their platform.
function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const files = walk(dist)
  .filter((p) => !p.endsWith('manifest.json'))
  .sort()
  .map((p) => {
    const rel = relative(dist, p);
    const m = /^node_modules\/@koromix\/koffi-([a-z0-9]+-[a-z0-9]+)\//.exec(rel);
    const data = readFileSync(p);
    return { path: rel, sha256: createHash('sha256').update(data).digest('hex'), size: data.length, ...(m ? { platform: m[1] } : {}) };
  });
writeFileSync(join(dist, 'manifest.json'), JSON.stringify({ version, files }, null, 2) + '\n');
const missing = wanted.filter((p) => !shipped.includes(p));
console.log(`built agent/dist/carp-agent.js ${version}; native: ${shipped.join(', ')}${missing.length ? ` (not installed, not shipped: ${missing.join(', ')})` : ''}`);
