// Test projects: `unit` (pure, fast, anywhere) and `lab` (root, network namespaces, real sshd/ucarp/tshark).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['agent/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts', 'build/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'lab',
          include: ['e2e/**/*.test.ts'],
          // Lab tests share the machine's 2 cores and real timers: one file at a time.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
