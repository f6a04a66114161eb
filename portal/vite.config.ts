import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const portalDir = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: portalDir,
  // The backend serves the built app under /portal/ on the same origin as /admin/v1.
  base: '/portal/',
  plugins: [react()],
  build: {
    outDir: path.resolve(portalDir, '../dist/portal'),
    emptyOutDir: true,
  },
  server: {
    // `npx vite --config portal/vite.config.ts` during development: the admin API runs on Keygate's port.
    proxy: { '/admin/v1': 'http://localhost:8080' },
  },
});
