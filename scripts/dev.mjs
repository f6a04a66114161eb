// `npm run dev`: Keygate from its TypeScript sources, restarted by `node --watch` whenever one of
// them changes, beside the portal from Vite's dev server with hot reload, which proxies /admin/v1
// to that Keygate. Arguments go to `keygate start`; the portal's port is PORTAL_DEV_PORT (5173).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const keygatePort = process.env.KEYGATE_PORT ?? '8080';
const portalPort = process.env.PORTAL_DEV_PORT ?? '5173';

const keygate = spawn(
  process.execPath,
  [
    '--watch',
    '--import',
    'tsx',
    fileURLToPath(new URL('keygate-from-source.ts', import.meta.url)),
    'start',
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit' },
);
const portal = spawn(
  process.execPath,
  [
    fileURLToPath(new URL('../node_modules/vite/bin/vite.js', import.meta.url)),
    '--config',
    'portal/vite.config.ts',
    '--port',
    portalPort,
    '--strictPort',
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PORTAL_DEV_ADMIN_ORIGIN: `http://127.0.0.1:${keygatePort}` },
  },
);
process.stderr.write(`portal (hot reload): http://localhost:${portalPort}/portal/\n`);

// One stops, both stop: a dev loop with half of it gone only confuses.
const stopBoth = (code) => {
  keygate.kill('SIGTERM');
  portal.kill('SIGTERM');
  process.exitCode = code ?? 0;
};
keygate.on('exit', (code) => stopBoth(code));
portal.on('exit', (code) => stopBoth(code));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopBoth(0));
