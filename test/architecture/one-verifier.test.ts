import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/**
 * Each kind of signed token Keygate takes is judged in one module: access tokens by the one
 * verifier (gateway, forward-auth, introspection, revocation, explain), DPoP proofs and client
 * assertions by theirs. A second module verifying signatures would be a second verdict that could
 * disagree with the first.
 */
const VERIFIERS = new Set([
  'services/verification/access-token-verifier.ts',
  'services/verification/dpop-proof.ts',
  'token-service/token/verify-client-assertion.ts',
]);
const VERIFYING =
  /\b(verifyCompactJws|jwtVerify|compactVerify|flattenedVerify|generalVerify|jwtDecrypt|createVerify)\b/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('architecture: one verdict per kind of token', () => {
  it('imports a signature verification function only in the verifiers', () => {
    const elsewhere = sourceFiles(SRC)
      .map((file) => relative(SRC, file))
      .filter((file) => !file.startsWith('crypto/') && !VERIFIERS.has(file))
      .filter((file) => VERIFYING.test(readFileSync(join(SRC, file), 'utf8')));
    expect(elsewhere).toEqual([]);
  });
});
