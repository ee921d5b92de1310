import { defineConfig } from 'vite';

// Plain Vite with esbuild's JSX transform for Preact: no framework plugin, no Babel (docs/web.md).
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    target: 'es2020',
    outDir: 'dist',
    assetsDir: 'assets',
    // Every asset a file of its own with a content hash, so the server can cache it for a year;
    // nothing inlined into index.html (the CSP allows no inline script or style).
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
  worker: { format: 'es' },
  server: {
    // `npm run dev` against a running `homeroom serve` (docs/web.md).
    proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } },
  },
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
  },
} as any);
