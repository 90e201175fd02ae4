import { defineConfig } from 'vite';

// The browser lab lives in ui/. seedrandom is CommonJS: pre-bundle it so the dev server does not
// reload the page the first time a worker imports it.
export default defineConfig({
  root: 'ui',
  build: { outDir: '../dist', emptyOutDir: true },
  optimizeDeps: { include: ['seedrandom'] },
  worker: { format: 'es' },
});
