// Where the agent bundle (carp-agent.js, manifest.json, native modules) is at run time: $CARP_AGENT_BUNDLE,
// then the installed app's resources (electron-builder's extraResources: <resourcesPath>/agent), then agent/dist of a checkout.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The folder under process.resourcesPath where build/electron-builder.json puts agent/dist. */
export const PACKAGED_AGENT_DIR = 'agent';

/**
 * The folders to try, in order: $CARP_AGENT_BUNDLE alone when set (an explicit choice is never second-guessed),
 * else the packaged app's resources (Electron's process.resourcesPath) and the checkout's agent/dist.
 */
export function agentBundleCandidates(o: { env?: string; resourcesPath?: string; root: string }): string[] {
  if (o.env) return [resolve(o.env)];
  return [...(o.resourcesPath ? [join(o.resourcesPath, PACKAGED_AGENT_DIR)] : []), join(o.root, 'agent', 'dist')];
}

/**
 * The first candidate that holds a bundle (its manifest.json), or the first candidate when none does
 * (deploy then names that folder in its error).
 */
export function locateAgentBundle(candidates: string[], exists: (path: string) => boolean = existsSync): string {
  if (!candidates.length) throw new Error('no candidate folder for the agent bundle');
  return candidates.find((dir) => exists(join(dir, 'manifest.json'))) ?? candidates[0];
}
