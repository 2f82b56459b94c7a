// The web console's build: web/ in, dist/web out, served by the gateway itself at `/`.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // The page's CSP allows no inline scripts: the module preload helper ships in the bundle.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 600,
  },
  // `npm run dev:web`: the console on Vite's server, calling a gateway on :8000.
  server: { proxy: { '/api': 'http://127.0.0.1:8000', '/v1': 'http://127.0.0.1:8000' } },
});
