// How Node runs carp-agent: the flags and environment chosen by measurement (e2e/bench footprint, issue 11).
// The deploy's service script and wrapper and the lab's start helpers all start the agent with AGENT_NODE.

/**
 * V8 flags, each kept because it lowered RSS or idle CPU and costs nothing the agent needs:
 * --lite-mode: V8's memory-saving mode (interpreter only, --jitless and --optimize-for-size): no optimizing
 *   compiler code or optimized code in memory, and no writable-executable memory at all. The agent's JS is a
 *   few hundred microseconds per advert; it never needs TurboFan.
 * --no-expose-wasm: jitless has no WebAssembly; saying so keeps Node from warning about it at every start.
 * --v8-pool-size=1, --single-threaded-gc: one V8 worker thread instead of one per core, and the collector on
 *   the main thread (a heap of a few MiB: sub-millisecond scavenges), so nothing wakes up behind the event loop.
 */
export const AGENT_NODE_FLAGS = ['--lite-mode', '--no-expose-wasm', '--v8-pool-size=1', '--single-threaded-gc'] as const;

/**
 * Environment: libuv's thread pool serves only the password checks (scrypt, 16 MiB each); one thread
 * derives them one at a time instead of four at once (64 MiB at the peak of a 16-group start).
 */
export const AGENT_NODE_ENV = { UV_THREADPOOL_SIZE: '1' } as const;

/** Shell words that run Node for the agent: `env UV_THREADPOOL_SIZE=1 node --lite-mode …` (then the script and its arguments). */
export const AGENT_NODE = [
  'env',
  ...Object.entries(AGENT_NODE_ENV).map(([k, v]) => `${k}=${v}`),
  'node',
  ...AGENT_NODE_FLAGS,
].join(' ');

/**
 * sh lines that set $NODE to AGENT_NODE, or to plain `node` where this host's Node refuses one of the flags
 * (an unknown V8 flag stops Node at once): the agent starts either way.
 */
export const AGENT_NODE_SH = `NODE="${AGENT_NODE}"\n$NODE -e 0 >/dev/null 2>&1 || NODE=node`;
