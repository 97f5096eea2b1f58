// The agent's Node flags must be accepted by this Node silently: an unknown V8 flag stops Node at once,
// and a warning would land in the agent's log at every start and in every CLI command's stderr.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AGENT_NODE, AGENT_NODE_ENV, AGENT_NODE_FLAGS, AGENT_NODE_SH } from './node-flags.js';

describe('AGENT_NODE', () => {
  it('this Node runs with the flags and says nothing', () => {
    const r = spawnSync(process.execPath, [...AGENT_NODE_FLAGS, '-e', 'process.stdout.write(String(process.env.UV_THREADPOOL_SIZE))'], {
      env: { ...process.env, ...AGENT_NODE_ENV },
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(AGENT_NODE_ENV.UV_THREADPOOL_SIZE);
  });

  it('the shell form sets the environment and the flags, and falls back to plain node when Node refuses them', () => {
    expect(AGENT_NODE).toBe(`env UV_THREADPOOL_SIZE=1 node ${AGENT_NODE_FLAGS.join(' ')}`);
    const ok = spawnSync('sh', ['-c', `${AGENT_NODE_SH}\necho "$NODE"`], { encoding: 'utf8' });
    expect(ok.stdout.trim()).toBe(AGENT_NODE);
    const refused = spawnSync('sh', ['-c', `${AGENT_NODE_SH.replace('--lite-mode', '--no-such-v8-flag')}\necho "$NODE"`], { encoding: 'utf8' });
    expect(refused.stdout.trim()).toBe('node');
  });
});
