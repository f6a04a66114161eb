import type { Config } from '../config/schema.js';
import { CLIENT_KEY_ALGORITHMS } from '../core/client-public-key.js';
import type { ScopeCatalogue } from '../core/scopes.js';
import { DPOP_ALGORITHMS } from '../services/verification/dpop-proof.js';

export const TOKEN_PATH = '/Auth/connect/token';
export const INTROSPECTION_PATH = '/Auth/connect/introspect';
export const REVOCATION_PATH = '/Auth/connect/revocation';
export const JWKS_PATH = '/.well-known/jwks.json';
export const METADATA_PATH = '/.well-known/oauth-authorization-server';
export const OPENID_CONFIGURATION = '/.well-known/openid-configuration';

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];

/** An endpoint's URL: its fixed path on the issuer's origin (the issuer may carry a path, `/Auth`). */
export function endpointUrl(config: Pick<Config, 'publicUrl'>, path: string): string {
  return new URL(path, config.publicUrl).href;
}

/**
 * RFC 8414 authorization server metadata, also served as OpenID Connect discovery. It advertises
 * only what Keygate does: the client credentials grant at the token endpoint, so no authorization
 * endpoint and no `response_types_supported` — every response type belongs to an authorization
 * endpoint, and RFC 8414 §3.2 says a claim with no element is omitted, not sent empty (the OAuth
 * working group's reading, as OpenID4VCI writes it for grants that use no authorization endpoint).
 * `subject_types_supported: ["public"]` holds for these tokens (`sub` is the client ID, the same for
 * every resource server) and lets Spring's and Nimbus's OpenID parsers take the document.
 */
export function authorizationServerMetadata(
  config: Config,
  catalogue: ScopeCatalogue,
  tokenSigningAlgorithms: readonly string[],
) {
  // RFC 8705 §2.2, §3.3: with a TLS terminator passing client certificates on.
  const mutualTls = config.clientCertificateHeader !== undefined;
  const methods = mutualTls ? [...AUTH_METHODS, 'self_signed_tls_client_auth'] : AUTH_METHODS;
  return {
    issuer: config.publicUrl,
    token_endpoint: endpointUrl(config, TOKEN_PATH),
    jwks_uri: endpointUrl(config, JWKS_PATH),
    introspection_endpoint: endpointUrl(config, INTROSPECTION_PATH),
    revocation_endpoint: endpointUrl(config, REVOCATION_PATH),
    scopes_supported: catalogue.values(),
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: methods,
    introspection_endpoint_auth_methods_supported: methods,
    revocation_endpoint_auth_methods_supported: methods,
    // RFC 8414: the algorithms private_key_jwt assertions may be signed with, at each endpoint.
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_KEY_ALGORITHMS],
    introspection_endpoint_auth_signing_alg_values_supported: [...CLIENT_KEY_ALGORITHMS],
    revocation_endpoint_auth_signing_alg_values_supported: [...CLIENT_KEY_ALGORITHMS],
    // RFC 9449 §5.1: DPoP proofs are taken at the token endpoint, signed with these.
    dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
    ...(mutualTls && { tls_client_certificate_bound_access_tokens: true }),
    subject_types_supported: ['public'],
    // Not standard metadata, but what a resource server needs to validate tokens (RFC 9068 §4).
    access_token_signing_alg_values_supported: [...tokenSigningAlgorithms],
  };
}

/**
 * Every path where a client looks for the metadata of this issuer: RFC 8414 §3.1 (the well-known
 * name before the issuer's path), OpenID Connect Discovery §4 (after it, as go-oidc, openid-client,
 * oauth4webapi, .NET and Spring ask first), and RFC 8414 §5's OpenID form before the path. Nowhere
 * else: a document names one issuer, and RFC 8414 §3.3 and OpenID Discovery §4.3 have clients
 * refuse it unless that is the issuer they formed its URL from (ADR 0007).
 */
export function metadataPaths(config: Pick<Config, 'publicUrl'>): string[] {
  const issuerPath = new URL(config.publicUrl).pathname.replace(/\/$/, '');
  return [
    ...new Set([
      `${METADATA_PATH}${issuerPath}`,
      `${issuerPath}${OPENID_CONFIGURATION}`,
      `${OPENID_CONFIGURATION}${issuerPath}`,
    ]),
  ];
}
