import { accessTokenMissing, malformedAuthorization } from './gateway-error.js';

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const OUR_SCHEME_FIRST = /^(bearer|dpop)\b/i;

export interface PresentedToken {
  /** `bearer` (RFC 6750) or `dpop` (RFC 9449 §7.1), matched case-insensitively, as VCC does. */
  scheme: 'bearer' | 'dpop';
  /** The credentials after the scheme and its spaces, trailing spaces dropped: not yet a b64token. */
  token: string;
}

/**
 * The access token of a request and the scheme it came with: `<scheme> +<token> *`. The token's
 * grammar is left to `isB64Token`, asked once a verdict refuses it: every token the verifier can
 * admit is a compact JWS, whose characters all belong to b64token, so a call that is admitted
 * does not pay for reading its token twice.
 */
export function readAccessToken(authorization: string | undefined): PresentedToken {
  if (authorization === undefined || authorization.trim() === '') throw accessTokenMissing();
  const space = authorization.indexOf(' ');
  const scheme = (space === -1 ? authorization : authorization.slice(0, space)).toLowerCase();
  if (scheme !== 'bearer' && scheme !== 'dpop') {
    if (OUR_SCHEME_FIRST.test(authorization)) throw malformedAuthorization();
    throw accessTokenMissing(); // another scheme: no access token was presented
  }
  if (space === -1) throw malformedAuthorization(); // the scheme alone
  let start = space + 1;
  while (authorization.charCodeAt(start) === 0x20) start++;
  let end = authorization.length;
  while (end > start && authorization.charCodeAt(end - 1) === 0x20) end--;
  if (start === end) throw malformedAuthorization();
  return { scheme, token: authorization.slice(start, end) };
}

/** Whether presented credentials are a b64token (RFC 6750 §2.1); if not, the header is malformed. */
export function isB64Token(token: string): boolean {
  return B64TOKEN.test(token);
}
