import { readFileSync } from 'node:fs';

const README_URL = new URL('../../README.md', import.meta.url);
export const README = readFileSync(README_URL, 'utf8');
/** The README's laptop origin, which tests replace with the started Keygate's. */
export const README_ORIGIN = 'http://127.0.0.1:8080';

/** The issuer the README gives clients ("The issuer, the `iss` of every token, is `…`"), on `origin`. */
export function readmeIssuer(origin: string): string {
  const issuer = /The issuer, the `iss` of every token, is `([^`]+)`/.exec(README)?.[1];
  if (!issuer?.startsWith(README_ORIGIN)) throw new Error(`README.md names no issuer on ${README_ORIGIN}`);
  return issuer.replace(README_ORIGIN, origin);
}

/** The first `sh` block of README.md after `heading` (e.g. `## Run it`), as written. */
export function readmeBlock(heading: string): string {
  const readme = readFileSync(README_URL, 'utf8');
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
