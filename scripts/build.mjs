// `npm run build`: the client package, then the server (tsc), whose build reads the client's
// built types through node_modules/@keygate/client as any user of the package does; then the portal
// (vite) and the stamp `npm start` checks.
// `node scripts/build.mjs --if-stale` builds only when a source changed since (the benches).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { distIsCurrent, stampDist } from './dist-stamp.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// `--if-stale` (the benches): nothing to do when no source changed since the last build.
if (process.argv.includes('--if-stale') && distIsCurrent()) process.exit(0);
const began = new Date();
const run = (bin, args) =>
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL(`../node_modules/${bin}`, import.meta.url)), ...args],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );

try {
  run('typescript/bin/tsc', ['-p', 'packages/client/tsconfig.json']);
  run('typescript/bin/tsc', ['-p', 'tsconfig.build.json']);
  run('vite/bin/vite.js', ['build', '--config', 'portal/vite.config.ts', '--logLevel', 'warn']);
} catch {
  process.exit(1); // tsc and vite have printed why
}
stampDist(began);
