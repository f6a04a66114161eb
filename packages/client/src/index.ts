/**
 * Keygate's client SDK: the token dance in one line, for Keygate and for the real VCC.
 *
 * ```ts
 * import { createTokenProvider, createApiClient } from '@keygate/client';
 * const tokens = createTokenProvider({ region: 'emea', clientId, clientSecret, scope: 'stats' });
 * const api = createApiClient({ region: 'emea', tokens });
 * const res = await api.get('/stats/agent-activities', { version: 3, query: { start, end } });
 * ```
 * @packageDocumentation
 */
export {
  type ApiClient,
  type ApiClientOptions,
  type ApiResponse,
  createApiClient,
  type RequestOptions,
} from './api-client.js';
export { VCC_REGIONS, type VccRegion, vccApiBaseUrl, vccTokenUrl } from './endpoints.js';
export {
  ApiError,
  InsufficientScopeError,
  KeygateClientError,
  RateLimitedError,
  TokenRequestError,
} from './errors.js';
export { createDpopSigner, type DpopSigner, type PrivateKeyInput } from './key-proofs.js';
export type { RetryPolicy } from './retry.js';
export {
  type AccessToken,
  createTokenProvider,
  type TokenProvider,
  type TokenProviderOptions,
} from './token-provider.js';
