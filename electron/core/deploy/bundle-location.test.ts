// Where the core finds the agent bundle: $CARP_AGENT_BUNDLE alone when set, else the installed app's
// resources/agent (electron-builder's extraResources), else the checkout's agent/dist.
import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { PACKAGED_AGENT_DIR, agentBundleCandidates, locateAgentBundle } from './bundle-location.js';

const has = (...dirs: string[]) => (p: string) => dirs.some((d) => p === join(d, 'manifest.json'));

describe('agent bundle location', () => {
  it('lists the packaged resources before the checkout, and only the override when it is set', () => {
    expect(agentBundleCandidates({ resourcesPath: '/opt/carp-console/resources', root: '/opt/carp-console/resources/app.asar' })).toEqual([
      `/opt/carp-console/resources/${PACKAGED_AGENT_DIR}`,
      '/opt/carp-console/resources/app.asar/agent/dist',
    ]);
    expect(agentBundleCandidates({ root: '/src/carp' })).toEqual(['/src/carp/agent/dist']);
    expect(agentBundleCandidates({ env: 'my-bundle', resourcesPath: '/r', root: '/src/carp' })).toEqual([resolve('my-bundle')]);
  });

  it('takes the first candidate holding a manifest.json', () => {
    const packaged = agentBundleCandidates({ resourcesPath: '/app/resources', root: '/app/resources/app.asar' });
    expect(locateAgentBundle(packaged, has('/app/resources/agent'))).toBe('/app/resources/agent');
    // a development run of Electron (resourcesPath is Electron's own) falls through to the checkout
    const dev = agentBundleCandidates({ resourcesPath: '/src/carp/node_modules/electron/dist/resources', root: '/src/carp' });
    expect(locateAgentBundle(dev, has('/src/carp/agent/dist'))).toBe('/src/carp/agent/dist');
  });

  it('names the first candidate when none holds a bundle (deploy says where it looked), refuses no candidates', () => {
    expect(locateAgentBundle(['/a/agent', '/b/agent/dist'], () => false)).toBe('/a/agent');
    expect(() => locateAgentBundle([], () => true)).toThrow(/no candidate/);
  });
});
