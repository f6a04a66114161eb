import type {
  AdminPath,
  Answer,
  ApiToken,
  Credential,
  Method,
  OwnerFilter,
  PathParams,
  Query,
  RequestBody,
  Scope,
  SessionInfo,
  User,
} from './types';

const API_ROOT = '/admin/v1';

/** An error answer of the admin API (`{code, message, field?}`), or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;

  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, 'client_error', error instanceof Error ? error.message : 'Something went wrong.');
}

// Kept in memory only: a page reload gets it again from GET /session.
let csrfToken: string | null = null;
let sessionEndedHandler: (() => void) | null = null;

/** Called when any request answers 401 `unauthenticated`: the session is gone. */
export function onSessionEnded(handler: (() => void) | null): void {
  sessionEndedHandler = handler;
}

interface RequestOptions {
  body?: unknown;
  /** For GET /session at start-up, where 401 simply means "not logged in yet". */
  expect401?: boolean;
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['X-CSRF-Token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(API_ROOT + path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'Keygate cannot be reached. Check your connection and try again.');
  }

  const payload = await readJson(response);
  if (response.ok) return payload as T;

  const error = errorFromResponse(response, payload);
  if (error.code === 'unauthenticated' && !options.expect401) {
    csrfToken = null;
    sessionEndedHandler?.();
  }
  throw error;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorFromResponse(response: Response, payload: unknown): ApiError {
  if (typeof payload === 'object' && payload !== null) {
    const { code, message, field } = payload as Record<string, unknown>;
    if (typeof code === 'string' && typeof message === 'string') {
      return new ApiError(response.status, code, message, typeof field === 'string' ? field : undefined);
    }
  }
  return new ApiError(
    response.status,
    'http_error',
    `Keygate answered ${response.status} ${response.statusText}.`,
  );
}

type CallOptions<P extends AdminPath, M extends Method> = {
  /** For GET /session at start-up, where 401 simply means "not logged in yet". */
  expect401?: boolean;
} & ([PathParams<P, M>] extends [never] ? unknown : { params: PathParams<P, M> }) &
  ([RequestBody<P, M>] extends [never] ? unknown : { body: RequestBody<P, M> }) &
  ([Query<P, M>] extends [never] ? unknown : { query?: Query<P, M> });

/**
 * Calls an operation by its path as the OpenAPI document names it (`/credentials/{id}`), with the
 * parameters, body and answer the document gives it: a call the server would refuse for its shape
 * does not compile.
 */
function call<P extends AdminPath, M extends Method>(
  method: M,
  path: P,
  ...[options]: keyof CallOptions<P, M> extends 'expect401' ? [CallOptions<P, M>?] : [CallOptions<P, M>]
): Promise<Answer<P, M>> {
  const { params, body, query, expect401 } = (options ?? {}) as {
    params?: Record<string, string>;
    body?: unknown;
    query?: Record<string, string | number | undefined>;
    expect401?: boolean;
  };
  let url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params?.[name] ?? ''));
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) search.set(name, String(value));
  }
  const text = search.toString();
  if (text !== '') url += `?${text}`;
  return request<Answer<P, M>>(method.toUpperCase(), url, { body, expect401 });
}

export const api = {
  async getSession(): Promise<SessionInfo> {
    const session = await call('get', '/session', { expect401: true });
    csrfToken = session.csrfToken;
    return session;
  },

  async logIn(email: string, password: string): Promise<SessionInfo> {
    const session = await call('post', '/session', { body: { email, password }, expect401: true });
    csrfToken = session.csrfToken;
    return session;
  },

  async logOut(): Promise<void> {
    try {
      await call('delete', '/session', { expect401: true });
    } finally {
      csrfToken = null;
    }
  },

  listScopes: (): Promise<Scope[]> => call('get', '/scopes').then((r) => r.scopes),

  listCredentials: (owner: OwnerFilter): Promise<Credential[]> =>
    call('get', '/credentials', { query: { owner } }).then((r) => r.credentials),

  createCredential: (body: RequestBody<'/credentials', 'post'>) => call('post', '/credentials', { body }),

  addKey: (credentialId: string, publicKey: string): Promise<Credential> =>
    call('post', '/credentials/{id}/keys', { params: { id: credentialId }, body: { publicKey } }).then(
      (r) => r.credential,
    ),

  removeKey: (credentialId: string, keyId: string): Promise<Credential> =>
    call('delete', '/credentials/{id}/keys/{keyId}', { params: { id: credentialId, keyId } }).then(
      (r) => r.credential,
    ),

  getCredential: (credentialId: string): Promise<Credential> =>
    call('get', '/credentials/{id}', { params: { id: credentialId } }).then((r) => r.credential),

  updateCredential: (credentialId: string, changes: RequestBody<'/credentials/{id}', 'patch'>) =>
    call('patch', '/credentials/{id}', { params: { id: credentialId }, body: changes }).then(
      (r) => r.credential,
    ),

  revokeCredentialTokens: (credentialId: string): Promise<Credential> =>
    call('post', '/credentials/{id}/revoke-tokens', { params: { id: credentialId } }).then(
      (r) => r.credential,
    ),

  deleteCredential: (credentialId: string) =>
    call('delete', '/credentials/{id}', { params: { id: credentialId } }),

  addSecret: (credentialId: string, body: RequestBody<'/credentials/{id}/secrets', 'post'>) =>
    call('post', '/credentials/{id}/secrets', { params: { id: credentialId }, body }),

  revokeSecret: (credentialId: string, secretId: string): Promise<Credential> =>
    call('delete', '/credentials/{id}/secrets/{secretId}', { params: { id: credentialId, secretId } }).then(
      (r) => r.credential,
    ),

  getUsage: (credentialId: string, days: number) =>
    call('get', '/credentials/{id}/usage', { params: { id: credentialId }, query: { days } }),

  listUsers: (): Promise<User[]> => call('get', '/users').then((r) => r.users),

  createUser: (body: RequestBody<'/users', 'post'>): Promise<User> =>
    call('post', '/users', { body }).then((r) => r.user),

  listAudit: (before: string | null, limit = 50) =>
    call('get', '/audit', { query: { limit, before: before ?? undefined } }),

  listTokens: (): Promise<ApiToken[]> => call('get', '/tokens').then((r) => r.tokens),

  createToken: (body: RequestBody<'/tokens', 'post'>) => call('post', '/tokens', { body }),

  deleteToken: (tokenId: string) => call('delete', '/tokens/{id}', { params: { id: tokenId } }),
};
