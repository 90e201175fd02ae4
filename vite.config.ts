import { defineConfig } from 'vite';

// The browser lab lives in ui/. seedrandom is CommonJS: pre-bundle it so the dev server does not
// reload the page the first time a worker imports it. `npm start` builds and serves the lab on
// 127.0.0.1:4173 (`vite preview`); the browser tests use the same server.
export default defineConfig({
  root: 'ui',
  base: './',
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1000 },
  optimizeDeps: { include: ['seedrandom'] },
  worker: { format: 'es' },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  server: { host: '127.0.0.1', port: 5173 },
});
