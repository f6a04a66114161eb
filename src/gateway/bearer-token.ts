import { accessTokenMissing, malformedAuthorization } from './gateway-error.js';

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The bearer token of a request; the scheme is matched case-insensitively, as VCC does. */
export function readBearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization.trim() === '') throw accessTokenMissing();
  const match = BEARER.exec(authorization);
  if (!match) {
    if (/^bearer\b/i.test(authorization)) throw malformedAuthorization();
    throw accessTokenMissing(); // another scheme: no bearer token was presented
  }
  return match[1]!;
}
