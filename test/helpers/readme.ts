import { readFileSync } from 'node:fs';

export const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
/** The README's laptop origin, which tests replace with the started Keygate's. */
export const README_ORIGIN = 'http://127.0.0.1:8080';

/** The issuer the README gives clients ("The issuer, the `iss` of every token, is `…`"), on `origin`. */
export function readmeIssuer(origin: string): string {
  const issuer = /The issuer, the `iss` of every token, is `([^`]+)`/.exec(README)?.[1];
  if (!issuer?.startsWith(README_ORIGIN)) throw new Error(`README.md names no issuer on ${README_ORIGIN}`);
  return issuer.replace(README_ORIGIN, origin);
}
