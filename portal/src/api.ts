import type {
  ApiToken,
  AuditEntry,
  Credential,
  Licence,
  OwnerFilter,
  Refusal,
  Scope,
  Secret,
  SessionInfo,
  UsageRow,
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

const id = (value: string) => encodeURIComponent(value);

export const api = {
  async getSession(): Promise<SessionInfo> {
    const session = await request<SessionInfo>('GET', '/session', { expect401: true });
    csrfToken = session.csrfToken;
    return session;
  },

  async logIn(email: string, password: string): Promise<SessionInfo> {
    const session = await request<SessionInfo>('POST', '/session', {
      body: { email, password },
      expect401: true,
    });
    csrfToken = session.csrfToken;
    return session;
  },

  async logOut(): Promise<void> {
    try {
      await request<void>('DELETE', '/session', { expect401: true });
    } finally {
      csrfToken = null;
    }
  },

  listScopes: () => request<{ scopes: Scope[] }>('GET', '/scopes').then((r) => r.scopes),

  listCredentials: (owner: OwnerFilter) =>
    request<{ credentials: Credential[] }>('GET', `/credentials?owner=${owner}`).then((r) => r.credentials),

  createCredential: (body: {
    name: string;
    scopes: string[];
    expiresAt?: string;
    publicKeys?: string[];
    requireDpop?: boolean;
  }) => request<{ credential: Credential; clientSecret?: string }>('POST', '/credentials', { body }),

  addKey: (credentialId: string, publicKey: string) =>
    request<{ credential: Credential }>('POST', `/credentials/${id(credentialId)}/keys`, {
      body: { publicKey },
    }).then((r) => r.credential),

  removeKey: (credentialId: string, keyId: string) =>
    request<{ credential: Credential }>('DELETE', `/credentials/${id(credentialId)}/keys/${id(keyId)}`).then(
      (r) => r.credential,
    ),

  getCredential: (credentialId: string) =>
    request<{ credential: Credential }>('GET', `/credentials/${id(credentialId)}`).then((r) => r.credential),

  updateCredential: (
    credentialId: string,
    changes: {
      name?: string;
      scopes?: string[];
      disabled?: boolean;
      expiresAt?: string | null;
      requireDpop?: boolean;
      allowedCidrs?: string[];
      tokenQuota?: { limit: number; period: 'hour' | 'day' } | null;
      callLimit?: { limit: number; windowSeconds: number } | null;
      metadata?: Record<string, string>;
    },
  ) =>
    request<{ credential: Credential }>('PATCH', `/credentials/${id(credentialId)}`, { body: changes }).then(
      (r) => r.credential,
    ),

  revokeCredentialTokens: (credentialId: string) =>
    request<{ credential: Credential }>('POST', `/credentials/${id(credentialId)}/revoke-tokens`).then(
      (r) => r.credential,
    ),

  deleteCredential: (credentialId: string) => request<void>('DELETE', `/credentials/${id(credentialId)}`),

  addSecret: (credentialId: string, body: { expireOtherSecretsAt?: string }) =>
    request<{ credential: Credential; secret: Secret; clientSecret: string }>(
      'POST',
      `/credentials/${id(credentialId)}/secrets`,
      { body },
    ),

  revokeSecret: (credentialId: string, secretId: string) =>
    request<{ credential: Credential }>(
      'DELETE',
      `/credentials/${id(credentialId)}/secrets/${id(secretId)}`,
    ).then((r) => r.credential),

  getUsage: (credentialId: string, days: number) =>
    request<{ days: UsageRow[]; refusals: Refusal[] }>(
      'GET',
      `/credentials/${id(credentialId)}/usage?days=${days}`,
    ),

  listUsers: () => request<{ users: User[] }>('GET', '/users').then((r) => r.users),

  createUser: (body: { email: string; password: string; licence: Licence | null }) =>
    request<{ user: User }>('POST', '/users', { body }).then((r) => r.user),

  listAudit: (before: string | null, limit = 50) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (before !== null) query.set('before', before);
    return request<{ entries: AuditEntry[]; nextBefore: string | null }>('GET', `/audit?${query}`);
  },

  listTokens: () => request<{ tokens: ApiToken[] }>('GET', '/tokens').then((r) => r.tokens),

  createToken: (body: { name: string; expiresAt?: string }) =>
    request<{ token: ApiToken; secret: string }>('POST', '/tokens', { body }),

  deleteToken: (tokenId: string) => request<void>('DELETE', `/tokens/${id(tokenId)}`),
};
