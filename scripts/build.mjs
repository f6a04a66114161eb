// `npm run build`: the client package, then the server (tsc), whose build reads the client's
// built types through node_modules/@keygate/client as any user of the package does; then the portal
// (vite) and the stamp `npm start` checks.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stampDist } from './dist-stamp.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
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
