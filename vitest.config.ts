// Test projects: `unit` (pure, fast, anywhere: no root, network or Debian tools) and `lab` (root,
// network namespaces, real sshd/ucarp/tshark, and anything that runs ssh-keygen, npm or a lab binary).
// The rule: everything under e2e/ is lab except the pure `*.unit.test.ts` files there; everything else is unit.
import { configDefaults, defineConfig } from 'vitest/config';

/** Unit-looking tests outside e2e/ that need a Debian tool: run in the lab project, not in unit. */
const NEEDS_TOOLS = [
  'electron/core/ssh/known-hosts.test.ts', // cross-checks against OpenSSH's ssh-keygen (-lf, -H, -F)
];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['agent/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts', 'build/**/*.test.ts', 'e2e/**/*.unit.test.ts'],
          exclude: [...configDefaults.exclude, ...NEEDS_TOOLS],
        },
      },
      {
        test: {
          name: 'lab',
          include: ['e2e/**/*.test.ts', ...NEEDS_TOOLS],
          exclude: [...configDefaults.exclude, 'e2e/**/*.unit.test.ts'],
          // Lab tests share the machine's 2 cores and real timers: one file at a time.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
