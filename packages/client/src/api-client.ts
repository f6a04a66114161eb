import { assertRegion, vccApiBaseUrl } from './endpoints.js';
import { ApiError, InsufficientScopeError, RateLimitedError } from './errors.js';
import type { TokenProvider } from './token-provider.js';

export interface ApiClientOptions {
  tokens: TokenProvider;
  /** A real VCC region… */
  region?: string;
  /** …or the base URL of any gateway (a Keygate gateway, e.g. http://127.0.0.1:8081). */
  apiBaseUrl?: string;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /** The API version, sent as `Accept: application/vnd.newvoicemedia.v{n}+json`. */
  version?: number;
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Ask for a token with these scopes instead of the provider's default. */
  scope?: string | string[];
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text of another content type, or undefined for an empty answer. */
  data: T;
}

export interface ApiClient {
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  get<T = unknown>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  post<T = unknown>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  patch<T = unknown>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  delete<T = unknown>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
}

/**
 * A client for the APIs behind a regional gateway: bearer token from the provider, versioned
 * Accept header, one transparent token refresh and retry after a 401 `invalid_token`, one retry
 * with the nonce a DPoP gateway asks for (`use_dpop_nonce`), and typed errors for 403 (naming the
 * scopes the API accepts) and 429.
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? fetch;
  const base = resolveBase(options);

  const request = async <T>(
    method: string,
    path: string,
    requestOptions: RequestOptions = {},
  ): Promise<ApiResponse<T>> => {
    const url = new URL(base + (path.startsWith('/') ? path : `/${path}`));
    for (const [name, value] of Object.entries(requestOptions.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const scope = requestOptions.scope === undefined ? {} : { scope: requestOptions.scope };
    const send = async () => {
      const token = await options.tokens.getAccessToken(scope);
      const headers: Record<string, string> = {
        accept:
          requestOptions.version === undefined
            ? 'application/json'
            : `application/vnd.newvoicemedia.v${requestOptions.version}+json`,
        ...requestOptions.headers,
        authorization: `${token.tokenType} ${token.accessToken}`,
      };
      // RFC 9449 §7: a bound token goes with a fresh proof for this very request.
      if (token.tokenType === 'DPoP' && options.tokens.dpop) {
        headers.dpop = await options.tokens.dpop.proof(method, url.href, { accessToken: token.accessToken });
      }
      if (requestOptions.body !== undefined) headers['content-type'] = 'application/json';
      const answer = await doFetch(url, {
        method,
        headers,
        body: requestOptions.body === undefined ? undefined : JSON.stringify(requestOptions.body),
      });
      options.tokens.dpop?.rememberNonce(url.href, answer);
      return answer;
    };

    let response = await send();
    if (
      response.status === 401 &&
      /error="use_dpop_nonce"/.test(response.headers.get('www-authenticate') ?? '')
    ) {
      // RFC 9449 §9: the gateway wants its nonce in the proof; it came with this answer.
      await response.body?.cancel();
      response = await send();
    }
    if (
      response.status === 401 &&
      /invalid_token/.test(response.headers.get('www-authenticate') ?? 'invalid_token')
    ) {
      // The token was revoked, expired early or the keys rotated: one fresh token, one retry.
      await response.body?.cancel();
      options.tokens.invalidate(scope);
      response = await send();
    }
    const data = (await readBody(response)) as T;
    if (response.ok) return { status: response.status, headers: response.headers, data };
    if (response.status === 403)
      throw new InsufficientScopeError(data, requiredScopes(response.headers.get('www-authenticate')));
    if (response.status === 429) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new RateLimitedError(
        data,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      );
    }
    throw new ApiError(response.status, data);
  };

  return {
    request,
    get: (path, o) => request('GET', path, o),
    post: (path, o) => request('POST', path, o),
    patch: (path, o) => request('PATCH', path, o),
    delete: (path, o) => request('DELETE', path, o),
  };
}

function resolveBase(options: ApiClientOptions): string {
  if (options.apiBaseUrl) return options.apiBaseUrl.replace(/\/$/, '');
  if (options.region) {
    assertRegion(options.region);
    return vccApiBaseUrl(options.region);
  }
  throw new TypeError('createApiClient needs region or apiBaseUrl');
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  return /json/i.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text;
}

/** The `scope="…"` of an RFC 6750 insufficient_scope challenge. */
function requiredScopes(challenge: string | null): string[] {
  const match = /scope="([^"]*)"/.exec(challenge ?? '');
  return match ? match[1]!.split(' ').filter(Boolean) : [];
}
