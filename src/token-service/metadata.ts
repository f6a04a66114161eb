import type { Config } from '../config/schema.js';
import { scopeValues } from '../core/scopes.js';

export const TOKEN_PATH = '/Auth/connect/token';
export const INTROSPECTION_PATH = '/Auth/connect/introspect';
export const REVOCATION_PATH = '/Auth/connect/revocation';
export const JWKS_PATH = '/.well-known/jwks.json';
export const METADATA_PATH = '/.well-known/oauth-authorization-server';

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

/** RFC 8414 authorization server metadata. */
export function authorizationServerMetadata(config: Config) {
  const base = config.publicUrl;
  return {
    issuer: base,
    token_endpoint: base + TOKEN_PATH,
    jwks_uri: base + JWKS_PATH,
    introspection_endpoint: base + INTROSPECTION_PATH,
    revocation_endpoint: base + REVOCATION_PATH,
    scopes_supported: scopeValues(),
    response_types_supported: [],
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    // Not standard metadata, but what a resource server needs to validate tokens (RFC 9068 §4).
    access_token_signing_alg_values_supported: ['ES256'],
  };
}
