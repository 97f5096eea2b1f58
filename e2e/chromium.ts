// Debian's Chromium as Playwright drives it here (the e2e web project, the UI benches, the renderer's
// dev harness): one set of launch options. `npx playwright install` cannot run offline; CHROMIUM_PATH
// names another build.
export const CHROMIUM_LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
};
