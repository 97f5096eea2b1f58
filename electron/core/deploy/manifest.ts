// The agent bundle's manifest (agent/dist/manifest.json, written by `npm run build`) and the
// choice of files for one host platform.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../../../agent/config/schema.js';

export const ManifestSchema = z
  .object({
    version: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.+_-]*$/, 'must be a version such as 0.1.0 (letters, digits, . + _ -)'),
    files: z
      .array(
        z
          .object({
            path: z.string().refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && /^[\w.@+/-]+$/.test(p), 'must be a relative path inside the bundle'),
            sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
            size: z.number().int().nonnegative(),
            platform: z.string().optional(),
          })
          .loose(),
      )
      .min(1, 'must list at least the agent file'),
  })
  .loose();
export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestFile = Manifest['files'][number];

/** The file the service runs. */
const AGENT_MAIN = 'carp-agent.js';

export function readManifest(bundleDir: string): Manifest {
  const p = join(bundleDir, 'manifest.json');
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the agent bundle manifest ${p} (${(e as Error).message}); build the agent first: npm run build`);
  }
  const r = ManifestSchema.safeParse(data);
  if (!r.success) throw new Error(`${p} is not a valid manifest: ${describeIssues(r.error).join('; ')}`);
  if (!r.data.files.some((f) => f.path === AGENT_MAIN && !f.platform)) throw new Error(`${p} does not list ${AGENT_MAIN}; rebuild the agent: npm run build`);
  return r.data;
}

/** Common files plus the host platform's native files; refuses when native files exist but none for this platform. */
export function filesFor(manifest: Manifest, platform: string): ManifestFile[] {
  const common = manifest.files.filter((f) => !f.platform);
  const native = manifest.files.filter((f) => f.platform === platform);
  const platforms = [...new Set(manifest.files.map((f) => f.platform).filter(Boolean))];
  if (platforms.length && !native.length)
    throw new Error(`the agent bundle ${manifest.version} has no native files for ${platform} (it has ${platforms.join(', ')}); this platform is not supported yet`);
  return [...common, ...native];
}
