import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Agent, fetch as undiciFetch } from 'undici';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { type RunningKeygate, type StartOptions, startKeygate } from '../../src/server/keygate.js';
import type { OperatorCredentials } from '../../src/services/credentials/operator-credentials.js';
import type { BootstrapResult } from '../../src/services/upkeep/bootstrap.js';
import { freePort } from '../../testkit/free-port.js';

/** A started Keygate with its own data folder and captured logs, whatever its roles. */
export interface StartedKeygate extends RunningKeygate {
  dataDir: string;
  /** Everything the server logged so far, as text. */
  logs(): string;
  stop(): Promise<void>;
}

/** A Keygate with the token service and the admin API (all roles unless a test turns the gateway off). */
export interface TestKeygate extends StartedKeygate {
  readonly url: string;
  readonly adminUrl: string;
  readonly credentials: OperatorCredentials;
  readonly bootstrap: BootstrapResult;
  /** Creates credentials in the default account and returns the client ID and the one-time secret. */
  createCredential(
    scopes: string[],
    name?: string,
  ): Promise<{ id: string; clientId: string; clientSecret: string }>;
}

/**
 * Starts a real Keygate on free ports with its own data folder; logs are captured. A port found free
 * can be taken by a test in the other fork before Keygate listens on it: then it tries new ports.
 */
export async function startTestKeygate(
  overrides: ConfigInput = {},
  dataDir?: string,
  options: Pick<StartOptions, 'clock'> = {},
): Promise<TestKeygate> {
  const keygate = await startKeygateWithRoles(overrides, dataDir, options);
  const { url, adminUrl, credentials, bootstrap } = keygate;
  if (!url || !adminUrl || !credentials || !bootstrap) {
    await keygate.stop();
    throw new Error('startTestKeygate needs the token-service and admin roles; use startKeygateWithRoles');
  }
  const account = (await keygate.store.accounts.list())[0]!;
  return Object.assign(keygate, {
    url,
    adminUrl,
    credentials,
    bootstrap,
    async createCredential(scopes: string[], name = 'Test credential') {
      const { credential, clientSecret } = await credentials.create({
        accountId: account.id,
        name,
        scopes,
      });
      return { id: credential.id, clientId: credential.clientId, clientSecret };
    },
  });
}

/** startTestKeygate for any roles (a gateway-only process has no token service or credentials). */
export async function startKeygateWithRoles(
  overrides: ConfigInput = {},
  dataDir?: string,
  options: Pick<StartOptions, 'clock'> = {},
): Promise<StartedKeygate> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePorts(overrides, dataDir, options);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 5) throw error;
    }
  }
}

async function startOnFreePorts(
  overrides: ConfigInput,
  dataDir: string | undefined,
  options: Pick<StartOptions, 'clock'>,
): Promise<StartedKeygate> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'keygate-test-'));
  const port = await freePort();
  const gatewayPort = await freePort();
  const config = loadConfig({
    env: {},
    cwd: dir,
    overrides: {
      port,
      gatewayPort,
      samplesPort: 0,
      metricsPort: 0,
      dataDir: dir,
      logLevel: 'info',
      changePollMs: 50,
      bootstrapAdminPassword: 'test-admin-password',
      ...overrides,
    },
  });
  const lines: string[] = [];
  const logDestination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  const keygate = await startKeygate(config, { logDestination, ...options });
  return Object.assign(keygate, {
    dataDir: dir,
    logs: () => lines.join(''),
    async stop() {
      await keygate.close();
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** POSTs a form to a token-service endpoint and returns status, headers and parsed JSON body. */
export async function postForm(
  url: string,
  form: Record<string, string> | string,
  headers: Record<string, string> = {},
  /** A loopback address (127.0.0.0/8) to send from, as another client machine would. */
  from?: string,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> | undefined; text: string }> {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  };
  const response = from
    ? ((await undiciFetch(url, { ...init, dispatcher: agentFrom(from) })) as unknown as Response)
    : await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    text,
  };
}

export function basic(clientId: string, clientSecret: string): string {
  const encode = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

export const TOKEN_PATH = '/Auth/connect/token';

/** Revokes a token as its client, with HTTP Basic authentication (RFC 7009). */
export function revokeToken(
  keygate: { url: string },
  client: { clientId: string; clientSecret: string },
  token: string,
): ReturnType<typeof postForm> {
  return postForm(
    `${keygate.url}/Auth/connect/revocation`,
    { token },
    { authorization: basic(client.clientId, client.clientSecret) },
  );
}

/** A client-credentials token request with client_secret_post, as most callers send it. */
export function requestToken(
  keygate: { url: string },
  client: { clientId: string; clientSecret: string },
  scope: string,
): ReturnType<typeof postForm> {
  return postForm(keygate.url + TOKEN_PATH, {
    grant_type: 'client_credentials',
    client_id: client.clientId,
    client_secret: client.clientSecret,
    scope,
  });
}

const agents = new Map<string, Agent>();
/** One connection pool per source address, whose sockets bind to it. */
export function agentFrom(address: string): Agent {
  let agent = agents.get(address);
  if (!agent) {
    agent = new Agent({ localAddress: address });
    agents.set(address, agent);
  }
  return agent;
}
