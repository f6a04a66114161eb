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
    // `npm run dev` (scripts/dev.mjs) names the Keygate it runs; alone, Keygate's default port.
    proxy: { '/admin/v1': process.env.PORTAL_DEV_ADMIN_ORIGIN ?? 'http://localhost:8080' },
  },
});
