// Playwright: the console end to end. Project `web`: Debian's Chromium against the web shell and a
// 3-host lab. Project `electron`: the same flows through Electron, where its binary is installed.
import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH } from './chromium.js';

export default defineConfig({
  testDir: '.',
  // One lab, one console, one browser: the flows run in order, on 2 cores.
  workers: 1,
  fullyParallel: false,
  timeout: 240_000,
  // The whole run (lab up, deploy, reboot, down) takes about a minute; never let CI hang for longer than this.
  globalTimeout: 20 * 60_000,
  expect: { timeout: 20_000 },
  // A lab flow is not retried: a flake is a finding. CI refuses a stray test.only.
  retries: 0,
  forbidOnly: !!process.env.CI,
  // The list reporter ends with the summary line ("7 passed (55s)", "1 skipped" for Electron where it has no binary).
  reporter: [['list']],
  outputDir: '../test-results',
  projects: [
    {
      name: 'web',
      testMatch: /ui\/.*\.spec\.ts$/,
      use: {
        browserName: 'chromium',
        viewport: { width: 1280, height: 800 },
        launchOptions: CHROMIUM_LAUNCH,
        trace: 'retain-on-failure',
        screenshot: 'only-on-failure',
      },
    },
    {
      name: 'electron',
      testMatch: /electron\/.*\.spec\.ts$/,
    },
  ],
});
