import { accessTokenMissing, malformedAuthorization } from './gateway-error.js';

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const PRESENTED = /^(bearer|dpop) +([A-Za-z0-9\-._~+/]+=*) *$/i;

export interface PresentedToken {
  /** `bearer` (RFC 6750) or `dpop` (RFC 9449 §7.1), matched case-insensitively, as VCC does. */
  scheme: 'bearer' | 'dpop';
  token: string;
}

/** The access token of a request and the scheme it came with. */
export function readAccessToken(authorization: string | undefined): PresentedToken {
  if (authorization === undefined || authorization.trim() === '') throw accessTokenMissing();
  const match = PRESENTED.exec(authorization);
  if (!match) {
    if (/^(bearer|dpop)\b/i.test(authorization)) throw malformedAuthorization();
    throw accessTokenMissing(); // another scheme: no access token was presented
  }
  return { scheme: match[1]!.toLowerCase() as PresentedToken['scheme'], token: match[2]! };
}
