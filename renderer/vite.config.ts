// Vite build of the React renderer: `npm run build:ui` writes dist/renderer (loaded by Electron and
// served by the web shell). Imports of ../electron/core/*.js resolve to the .ts sources.
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The production page carries a strict CSP of its own (dev keeps Vite's inline refresh preamble working). */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'none'";
function cspMeta(): Plugin {
  return {
    name: 'carp-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' }],
  };
}

export default defineConfig({
  root,
  base: './',
  plugins: [react(), cspMeta()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // One CSS file and module scripts only: nothing inline for the CSP to refuse.
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  server: { fs: { allow: ['..'] } },
});
