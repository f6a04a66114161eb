import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(root, 'node_modules/.cache/keygate-bench');
const built = new Map<string, string>();

/**
 * A bench process's TypeScript entry as one plain-JS module (esbuild; packages stay imports,
 * resolved from node_modules), for `node` without tsx. tsx runs its loader hooks in a thread of
 * their own, and that thread's garbage collections (10–20 ms, a few seconds into a run, on the
 * same core) stalled the process they share it with: in a latency round, the client or the
 * upstream, whose stall counted against every path.
 */
export function plainNodeEntry(entry: string): string {
  const known = built.get(entry);
  if (known) return known;
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `${relative(root, entry).replace(/\.ts$/, '').replaceAll('/', '-')}.mjs`);
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  built.set(entry, outfile);
  return outfile;
}
