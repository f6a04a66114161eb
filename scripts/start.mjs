// `npm start`: build when a source changed since the last build, then run `keygate start` in this
// very process, so the signal npm forwards to its child reaches Keygate itself.
import '../bin/node-line.js';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { distIsCurrent } from './dist-stamp.mjs';

if (!distIsCurrent()) {
  process.stderr.write('Building Keygate (server and portal): a source changed since the last build…\n');
  try {
    execFileSync(process.execPath, [fileURLToPath(new URL('build.mjs', import.meta.url))], {
      stdio: 'inherit',
    });
  } catch {
    process.exit(1); // the build has printed why
  }
}

// As if `node bin/keygate.js start …` had been run: `--workers` forks that file with these arguments.
const bin = fileURLToPath(new URL('../bin/keygate.js', import.meta.url));
process.argv = [process.argv[0], bin, 'start', ...process.argv.slice(2)];
await import(bin);
