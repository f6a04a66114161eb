import { InvalidScope } from './errors.js';
import type { ScopeCatalogue } from './scopes.js';

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Parses the `scope` parameter of a token request into distinct scope tokens, in request order.
 * VCC requires a scope; the seed asks for one per token, newer VCC pages accept several,
 * space-separated, so both work.
 */
export function parseRequestedScopes(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') throw new InvalidScope('You must specify a scope');
  const scopes: string[] = [];
  for (const token of raw.split(' ')) {
    if (token === '') continue;
    if (!SCOPE_TOKEN.test(token)) {
      throw new InvalidScope('The scope parameter contains characters that RFC 6749 does not allow');
    }
    if (!scopes.includes(token)) scopes.push(token);
  }
  if (scopes.length === 0) throw new InvalidScope('You must specify a scope');
  return scopes;
}

/** Every requested scope must be one the credential holds; the error names those it lacks. */
export function checkScopesGranted(requested: readonly string[], granted: readonly string[]): void {
  const missing = requested.filter((s) => !granted.includes(s));
  if (missing.length > 0) {
    throw new InvalidScope(`The client is not allowed the requested scope: ${missing.join(' ')}`);
  }
}

/**
 * Every requested scope must still be offered: a credential may hold a scope whose API document
 * has since been removed from the configuration, and no token is issued for it.
 */
export function checkScopesOffered(requested: readonly string[], catalogue: ScopeCatalogue): void {
  const gone = requested.filter((s) => !catalogue.has(s));
  if (gone.length > 0) {
    throw new InvalidScope(
      `The scope is no longer offered: ${gone.join(' ')} (no configured API document declares it)`,
    );
  }
}
