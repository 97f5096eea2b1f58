// Builds the agent bundle: agent/dist/carp-agent.js (one CommonJS file for Node >= 18) plus a minimal
// koffi and its native modules under agent/dist/node_modules, and agent/dist/manifest.json.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync, rmSync, cpSync, existsSync, readdirSync, statSync, chmodSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'agent/dist');
const nm = join(root, 'node_modules');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// zod's classic API imports every locale it ships (about 60, 370 KiB of code) to offer z.locales.*; the
// agent speaks English only (z.config(en()) is zod's default). Parsing and running them cost the agent about
// 6 MiB of RSS at start (e2e/bench footprint), so the bundle gets a locales module with English alone.
const zodEnglishOnly = {
  name: 'zod-locales-english-only',
  setup(b) {
    b.onResolve({ filter: /[/\\]locales[/\\]index\.js$/ }, (a) => (/[/\\]node_modules[/\\]zod[/\\]/.test(a.importer) ? { path: join(dirname(a.importer), a.path), namespace: 'zod-locales' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (a) => ({ contents: `export { default as en } from ${JSON.stringify(join(dirname(a.path), 'en.js'))};\n`, resolveDir: dirname(a.path) }));
  },
};

const common = {
  entryPoints: [join(root, 'agent/cli.ts')],
  plugins: [zodEnglishOnly],
  // Whitespace and syntax only: names stay, so a crash's stack trace still reads (and the source V8 keeps
  // in memory is half the size).
  minifyWhitespace: true,
  minifySyntax: true,
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  external: ['koffi'],
  legalComments: 'none',
  logLevel: 'warning',
  // The bundle is CommonJS: code that asks import.meta.url falls back to __filename.
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

// Native modules for the platforms the agent runs on (its net layer is Linux: raw sockets, netlink,
// AF_PACKET). npm installs only this machine's; the others come from the npm registry with `npm pack`
// into node_modules/.cache (once), so a bundle built on x64 also deploys to arm64 firewalls.
const WANTED = ['linux-x64', 'linux-arm64'];
const koffiVersion = JSON.parse(readFileSync(join(nm, 'koffi/package.json'), 'utf8')).version;
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const cache = join(nm, '.cache/carp-agent-natives');
function nativePackage(p) {
  const installed = join(nm, '@koromix', `koffi-${p}`);
  if (existsSync(installed)) return installed;
  const cached = join(cache, `koffi-${p}-${koffiVersion}`);
  if (existsSync(join(cached, 'package.json'))) return cached;
  try {
    mkdirSync(cached, { recursive: true });
    const tgz = execFileSync('npm', ['pack', '--silent', `@koromix/koffi-${p}@${koffiVersion}`, '--pack-destination', cache], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }).trim().split('\n').pop();
    // The same bytes the lockfile pins: its integrity field covers every platform's package.
    const want = lock.packages?.[`node_modules/@koromix/koffi-${p}`]?.integrity;
    const got = `sha512-${createHash('sha512').update(readFileSync(join(cache, tgz))).digest('base64')}`;
    if (want !== got) throw new Error(`integrity ${got} does not match package-lock.json's ${want ?? '(none)'}`);
    execFileSync('tar', ['xzf', join(cache, tgz), '-C', cached, '--strip-components=1']);
    return cached;
  } catch (e) {
    rmSync(cached, { recursive: true, force: true });
    console.warn(`build-agent: could not fetch @koromix/koffi-${p}@${koffiVersion} (${e.message.split('\n')[0]}); the bundle will not deploy to ${p}`);
    return null;
  }
}
const shipped = [];
for (const p of WANTED) {
  const from = nativePackage(p);
  if (!from) continue;
  cpSync(from, join(dist, `node_modules/@koromix/koffi-${p}`), { recursive: true, filter: (f) => !f.endsWith('.tgz') });
  shipped.push(p);
}
if (!shipped.includes(`${process.platform}-${process.arch}`) && process.platform === 'linux') throw new Error(`build-agent: @koromix/koffi-${process.platform}-${process.arch} is not installed; run npm ci`);

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
const missing = WANTED.filter((p) => !shipped.includes(p));
console.log(`built agent/dist/carp-agent.js ${version}; native: ${shipped.join(', ')}${missing.length ? ` (missing: ${missing.join(', ')})` : ''}`);
