import { defineConfig } from 'vite';

// Run from the project root (services/frontend): `vite build --config src/ui/vite.config.ts`.
// Paths are relative to `root`. Everything the page loads is emitted here: no CDN at run time.
export const config = defineConfig({
  root: 'src/ui',
  base: '/',
  publicDir: false,
  build: {
    outDir: '../../dist/public',
    emptyOutDir: true,
    // Hashed names under assets/ are cached for a year by nginx and task-api; index.html never is.
    assetsDir: 'assets',
    sourcemap: true,
    target: 'es2022',
    // No inline <script> or data: modules: the Content-Security-Policy allows only 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});

// Vite loads the configuration from the module's default export.
// eslint-disable-next-line no-restricted-syntax
export default config;
