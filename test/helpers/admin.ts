import { Agent, fetch as undiciFetch } from 'undici';
import type { TestKeygate } from './keygate.js';

export const ADMIN_EMAIL = 'admin@keygate.local';
export const ADMIN_PASSWORD = 'test-admin-password';

export interface AdminAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** A caller of the admin API over real HTTP, holding a session cookie or a personal token. */
export interface AdminClient {
  readonly csrfToken: string;
  readonly cookie: string;
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<AdminAnswer<T>>;
}

/** One connection pool per local address a test calls from. */
const fromAddress = new Map<string, Agent>();

/**
 * Calls the admin API over real HTTP. `from` is the local address to connect from: any of 127.0.0.0/8
 * reaches a server on 127.0.0.1, so a test can be two clients that the server tells apart.
 */
export async function adminCall<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; rawBody?: string; from?: string } = {},
): Promise<AdminAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.body);
  }
  let dispatcher: Agent | undefined;
  if (options.from !== undefined) {
    dispatcher = fromAddress.get(options.from) ?? new Agent({ localAddress: options.from });
    fromAddress.set(options.from, dispatcher);
  }
  // From an address: the undici package's fetch, whose Agent it is. Node's own fetch bundles
  // another undici, whose dispatchers speak an older handler interface (undici 8 refuses it).
  const url = `${baseUrl}/admin/v1${path}`;
  const response = dispatcher
    ? await undiciFetch(url, { method, headers, body, redirect: 'manual', dispatcher })
    : await fetch(url, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : {}) as T,
  };
}

/** Logs in and returns a client that sends the cookie and the CSRF token. */
export async function logIn(
  keygate: Pick<TestKeygate, 'url'>,
  email = ADMIN_EMAIL,
  password = ADMIN_PASSWORD,
): Promise<AdminClient> {
  const answer = await adminCall<{ csrfToken: string }>(keygate.url, 'POST', '/session', {
    body: { email, password },
  });
  if (answer.status !== 200) throw new Error(`login failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  const setCookie = answer.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const csrfToken = answer.body.csrfToken;
  return {
    csrfToken,
    cookie,
    call: (method, path, body, headers = {}) =>
      adminCall(keygate.url, method, path, {
        body,
        headers: { cookie, 'x-csrf-token': csrfToken, ...headers },
      }),
  };
}

/** A client using a personal API token instead of a session. */
export function withApiToken(keygate: Pick<TestKeygate, 'url'>, token: string): AdminClient {
  return {
    csrfToken: '',
    cookie: '',
    call: (method, path, body, headers = {}) =>
      adminCall(keygate.url, method, path, {
        body,
        headers: { authorization: `Bearer ${token}`, ...headers },
      }),
  };
}

/** Adds a portal user through the admin API, as the given admin. */
export async function addUser(
  admin: AdminClient,
  email: string,
  licence: 'admin' | 'supervisor' | null,
  password = 'a-long-enough-password',
): Promise<{ id: string; email: string; password: string }> {
  const answer = await admin.call<{ user: { id: string } }>('POST', '/users', { email, password, licence });
  if (answer.status !== 201) throw new Error(`adding ${email} failed: ${JSON.stringify(answer.body)}`);
  return { id: answer.body.user.id, email, password };
}
