import { decodeJwt } from 'jose';
import { InvalidRequest } from '../../core/errors.js';
import type { FormParameters } from './read-form.js';

/** RFC 7523 §2.2: the client_assertion_type of a signed assertion (private_key_jwt). */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export type ClientAuthenticationMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'private_key_jwt'
  | 'self_signed_tls_client_auth';

export type PresentedClientCredentials =
  | { clientId: string; clientSecret: string; method: 'client_secret_basic' | 'client_secret_post' }
  | { clientId: string; assertion: string; method: 'private_key_jwt' }
  | { clientId: string; method: 'self_signed_tls_client_auth' };

/**
 * Step 2a: the client's ID and secret, from HTTP Basic (RFC 6749 §2.3.1, each part form-encoded)
 * or from the body, or a signed assertion (RFC 7523 §2.2, the client ID from its `iss` when the
 * body names none), or, with a client ID alone and a TLS client certificate, that certificate
 * (RFC 8705 §2.2) — one method only.
 */
export function extractClientCredentials(
  authorization: string | undefined,
  params: FormParameters,
  withCertificate = false,
): PresentedClientCredentials | undefined {
  if (params.client_assertion !== undefined || params.client_assertion_type !== undefined) {
    return readAssertion(authorization, params);
  }
  const basic = parseBasic(authorization);
  if (basic) {
    if (params.client_secret !== undefined) {
      throw new InvalidRequest(
        'Use one client authentication method: HTTP Basic or client_secret in the body, not both',
      );
    }
    if (params.client_id !== undefined && params.client_id !== basic.clientId) {
      throw new InvalidRequest(
        'The client_id in the body does not match the one in the Authorization header',
      );
    }
    return { ...basic, method: 'client_secret_basic' };
  }
  if (params.client_id === undefined) return undefined;
  if (params.client_secret === undefined && withCertificate) {
    return { clientId: params.client_id, method: 'self_signed_tls_client_auth' };
  }
  return {
    clientId: params.client_id,
    clientSecret: params.client_secret ?? '',
    method: 'client_secret_post',
  };
}

function readAssertion(
  authorization: string | undefined,
  params: FormParameters,
): PresentedClientCredentials {
  if (params.client_assertion_type !== JWT_BEARER_ASSERTION || params.client_assertion === undefined) {
    throw new InvalidRequest(
      `A client assertion needs client_assertion and client_assertion_type ${JWT_BEARER_ASSERTION}`,
    );
  }
  if (params.client_secret !== undefined || parseBasic(authorization) !== undefined) {
    throw new InvalidRequest(
      'Use one client authentication method: a client assertion or a secret, not both',
    );
  }
  let issuer: unknown;
  try {
    issuer = decodeJwt(params.client_assertion).iss;
  } catch {
    issuer = undefined; // fails as any wrong assertion does: invalid_client
  }
  const clientId = params.client_id ?? (typeof issuer === 'string' ? issuer : '');
  return { clientId, assertion: params.client_assertion, method: 'private_key_jwt' };
}

function parseBasic(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  if (header === undefined) return undefined;
  const match = /^basic +([A-Za-z0-9+/=._~-]*) *$/i.exec(header);
  if (!match) {
    if (/^basic\b/i.test(header))
      throw new InvalidRequest('The Authorization header is not valid HTTP Basic');
    return undefined; // another scheme: not client authentication
  }
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidRequest('The Authorization header is not valid HTTP Basic');
  try {
    return {
      clientId: formDecode(decoded.slice(0, colon)),
      clientSecret: formDecode(decoded.slice(colon + 1)),
    };
  } catch {
    throw new InvalidRequest('The Authorization header is not valid HTTP Basic');
  }
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}
