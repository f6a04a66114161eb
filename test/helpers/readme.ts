import { readFileSync } from 'node:fs';

const README = new URL('../../README.md', import.meta.url);

/** The first `sh` block of README.md after `heading` (e.g. `## Run it`), as written. */
export function readmeBlock(heading: string): string {
  const readme = readFileSync(README, 'utf8');
  const at = readme.indexOf(`\n${heading}\n`);
  if (at === -1) throw new Error(`README.md has no "${heading}"`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
  if (!block) throw new Error(`README.md: "${heading}" has no sh block`);
  return block;
}

/** The commands of a README section's sh block: continuation lines joined, comments dropped. */
export function readmeCommands(heading: string): string[] {
  return readmeBlock(heading)
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
