#!/usr/bin/env node
// Launcher for `npx carpctl …` in a checkout: runs electron/cli/carpctl.ts through tsx.
import { register } from 'tsx/esm/api';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

register();
const here = dirname(fileURLToPath(import.meta.url));
const { main } = await import(pathToFileURL(join(here, '..', 'electron', 'cli', 'carpctl.ts')).href);
process.exit(await main(process.argv.slice(2)));
