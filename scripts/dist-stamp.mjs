import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What `npm run build` reads: a change to any of them (or a file added or removed) makes dist stale. */
const SOURCES = [
  'src',
  'packages/client/src',
  'packages/client/bin',
  'packages/client/package.json',
  'packages/client/tsconfig.json',
  'portal',
  'scripts',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
];

/** Written by `npm run build` when it has succeeded, with the time the build began as its mtime. */
const STAMP = join(ROOT, 'dist', '.build-stamp');

/** The newest mtime under `path`; a folder's own counts, since adding or removing a file changes it. */
function newestChange(path) {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules') continue;
    newest = Math.max(newest, newestChange(join(path, name)));
  }
  return newest;
}

/** True when dist was built after the last change to any source. */
export function distIsCurrent() {
  let built;
  try {
    built = statSync(STAMP).mtimeMs;
  } catch {
    return false;
  }
  return SOURCES.every((source) => newestChange(join(ROOT, source)) < built);
}

/**
 * Marks dist as built from the sources as they were at `began`: a source saved while the build ran
 * is newer than the stamp, so the next start builds again.
 */
export function stampDist(began) {
  writeFileSync(STAMP, 'npm run build\n');
  utimesSync(STAMP, began, began);
}
