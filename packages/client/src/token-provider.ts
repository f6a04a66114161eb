import { assertRegion, vccTokenUrl } from './endpoints.js';
import { KeygateClientError, TokenRequestError } from './errors.js';
import {
  createClientAssertions,
  createDpopSigner,
  type DpopSigner,
  type PrivateKeyInput,
} from './key-proofs.js';
import { DEFAULT_RETRY, type RetryPolicy, retryDelayMs, sleep } from './retry.js';

export interface TokenProviderOptions {
  clientId: string;
  /** The client secret; or, for a credential without one, `privateKey`. */
  clientSecret?: string;
  /** The client's private key (PEM or KeyObject): it signs a private_key_jwt assertion (RFC 7523) per request. */
  privateKey?: PrivateKeyInput;
  /**
   * DPoP (RFC 9449): tokens bound to a key of the client's, useless to whoever copies them. `true`
   * makes a P-256 key for this provider; or give the key. The API client then sends a proof with
   * every call.
   */
  dpop?: boolean | PrivateKeyInput;
  /** The default scope or scopes (space-separated or a list); `getToken({ scope })` may ask for others. */
  scope: string | string[];
  /** A real VCC region (`emea`, `nam`, `apac`)… */
  region?: string;
  /** …or any Keygate (or RFC 8414 server) by its issuer URL: the token endpoint is discovered… */
  issuer?: string;
  /** …or the token endpoint itself. */
  tokenUrl?: string;
  /** How long before expiry a token is replaced (default 60 s). */
  refreshMarginSeconds?: number;
  /**
   * `client_secret_basic` (default, as Vonage's samples) or `client_secret_post`; or
   * `self_signed_tls_client_auth` (RFC 8705): no secret, the client's TLS certificate authenticates
   * it, presented by the `fetch` given here (an undici `Agent` with `connect: { cert, key }`).
   */
  authMethod?: 'client_secret_basic' | 'client_secret_post' | 'self_signed_tls_client_auth';
  retry?: Partial<RetryPolicy>;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

export interface AccessToken {
  accessToken: string;
  /** Epoch milliseconds. */
  issuedAt: number;
  /** Epoch milliseconds. */
  expiresAt: number;
  scope: string;
  /** `DPoP` for a token bound to the provider's DPoP key; `Bearer` otherwise. */
  tokenType: 'Bearer' | 'DPoP';
}

export interface TokenProvider {
  /** A valid access token: cached, refreshed ahead of expiry, one request however many callers wait. */
  getToken(options?: { scope?: string | string[] }): Promise<string>;
  /** The full token record. */
  getAccessToken(options?: { scope?: string | string[] }): Promise<AccessToken>;
  /** Forget the cached token for these scopes (e.g. after the API said 401). */
  invalidate(options?: { scope?: string | string[] }): void;
  /** The DPoP signer whose key the tokens are bound to, when `dpop` is on. */
  readonly dpop: DpopSigner | undefined;
}

const NEVER_RETRY = new Set([
  'invalid_client',
  'invalid_scope',
  'invalid_request',
  'unauthorized_client',
  'unsupported_grant_type',
]);

/**
 * Creates a token provider for the client credentials grant. Works unchanged against the real VCC
 * (`region`) and against Keygate (`issuer` or `tokenUrl`).
 */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const doFetch = options.fetch ?? fetch;
  const byCertificate = options.authMethod === 'self_signed_tls_client_auth';
  if (options.clientSecret === undefined && options.privateKey === undefined && !byCertificate) {
    throw new TypeError('createTokenProvider needs clientSecret, privateKey or the certificate method');
  }
  const assertions = options.privateKey && createClientAssertions(options.clientId, options.privateKey);
  const dpop = options.dpop ? createDpopSigner(options.dpop === true ? undefined : options.dpop) : undefined;
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const margin = (options.refreshMarginSeconds ?? 60) * 1000;
  const cache = new Map<string, AccessToken>();
  const inFlight = new Map<string, Promise<AccessToken>>();
  let tokenUrl: Promise<string> | undefined;

  /** One cache entry per scope set: the same scopes in any order share a token. */
  const scopeKey = (scope: string | string[] | undefined) => {
    const value = [...new Set(normalise(scope ?? options.scope))].sort().join(' ');
    if (value === '') throw new TypeError('a scope is required');
    return value;
  };

  const resolveTokenUrl = () => {
    tokenUrl ??= discoverTokenUrl(options, doFetch).catch((error: unknown) => {
      tokenUrl = undefined; // try discovery again next time
      throw error;
    });
    return tokenUrl;
  };

  const request = async (scope: string): Promise<AccessToken> => {
    const url = await resolveTokenUrl();
    const form = new URLSearchParams({ grant_type: 'client_credentials', scope });
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const secret = options.clientSecret ?? '';
    if (assertions || byCertificate) form.set('client_id', options.clientId);
    else if ((options.authMethod ?? 'client_secret_basic') === 'client_secret_basic') {
      const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
      headers.authorization = `Basic ${Buffer.from(`${encode(options.clientId)}:${encode(secret)}`).toString('base64')}`;
    } else {
      form.set('client_id', options.clientId);
      form.set('client_secret', secret);
    }
    let nonceRetried = false;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        // A fresh assertion and proof for each attempt: each is accepted once.
        if (assertions) {
          form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
          form.set('client_assertion', await assertions(url));
        }
        if (dpop) headers.dpop = await dpop.proof('POST', url);
        response = await doFetch(url, { method: 'POST', headers, body: form.toString() });
      } catch (error) {
        if (attempt >= retry.retries) {
          throw new KeygateClientError('network_error', `token request failed: ${(error as Error).message}`);
        }
        await sleep(retryDelayMs(retry, attempt + 1, null));
        continue;
      }
      dpop?.rememberNonce(url, response);
      const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
      if (response.ok && body && typeof body.access_token === 'string') {
        const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 3600;
        const issuedAt = Date.now();
        return {
          accessToken: body.access_token,
          issuedAt,
          expiresAt: issuedAt + expiresIn * 1000,
          scope: typeof body.scope === 'string' ? body.scope : scope,
          tokenType: /^dpop$/i.test(String(body.token_type)) ? 'DPoP' : 'Bearer',
        };
      }
      const error = typeof body?.error === 'string' ? body.error : `http_${response.status}`;
      const description = typeof body?.error_description === 'string' ? body.error_description : undefined;
      // RFC 9449 §8: the server wants its nonce in the proof; it came with this answer.
      if (dpop && error === 'use_dpop_nonce' && !nonceRetried) {
        nonceRetried = true;
        attempt -= 1;
        continue;
      }
      const retriable = (response.status >= 500 || response.status === 429) && !NEVER_RETRY.has(error);
      if (!retriable || attempt >= retry.retries)
        throw new TokenRequestError(error, description, response.status);
      await sleep(retryDelayMs(retry, attempt + 1, response.headers.get('retry-after')));
    }
  };

  const getAccessToken = async (callOptions: { scope?: string | string[] } = {}) => {
    const key = scopeKey(callOptions.scope);
    const cached = cache.get(key);
    if (cached && refreshAt(cached, margin) > Date.now()) return cached;
    let pending = inFlight.get(key);
    if (!pending) {
      pending = request(key)
        .then((token) => {
          cache.set(key, token);
          return token;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };

  return {
    getAccessToken,
    getToken: async (callOptions) => (await getAccessToken(callOptions)).accessToken,
    invalidate: (callOptions = {}) => {
      cache.delete(scopeKey(callOptions.scope));
    },
    dpop,
  };
}

/**
 * When a cached token is replaced: `margin` before expiry, but a token is always used for at least
 * a second, so a margin as long as the lifetime cannot turn every call into a token request.
 */
function refreshAt(token: AccessToken, margin: number): number {
  return Math.max(token.expiresAt - margin, token.issuedAt + 1000);
}

function normalise(scope: string | string[]): string[] {
  return (Array.isArray(scope) ? scope : scope.split(' ')).filter(Boolean);
}

async function discoverTokenUrl(options: TokenProviderOptions, doFetch: typeof fetch): Promise<string> {
  if (options.tokenUrl) return options.tokenUrl;
  if (options.issuer) {
    const issuer = options.issuer.replace(/\/$/, '');
    // RFC 8414 §3.1: the well-known name goes between the issuer's host and its path.
    const { origin, pathname } = new URL(issuer);
    const response = await doFetch(
      `${origin}/.well-known/oauth-authorization-server${pathname.replace(/\/$/, '')}`,
      {
        headers: { accept: 'application/json' },
      },
    );
    const metadata = (await response.json().catch(() => undefined)) as
      | { token_endpoint?: unknown; issuer?: unknown }
      | undefined;
    if (!response.ok || typeof metadata?.token_endpoint !== 'string') {
      throw new KeygateClientError(
        'discovery_failed',
        `no RFC 8414 metadata with a token_endpoint at ${issuer}`,
        response.status,
      );
    }
    return metadata.token_endpoint;
  }
  if (options.region) {
    assertRegion(options.region);
    return vccTokenUrl(options.region);
  }
  throw new TypeError('createTokenProvider needs region, issuer or tokenUrl');
}
