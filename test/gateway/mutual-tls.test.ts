import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiClient, createTokenProvider } from '@keygate/client';
import { decodeJwt } from 'jose';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testkit/free-port.js';
import { opensslMissing, selfSigned } from '../helpers/certificates.js';
import { documentedBlock, documentedSettings, withPlaceholders } from '../helpers/documented-config.js';
import { agentFrom, postForm, startTestKeygate, type TestKeygate, TOKEN_PATH } from '../helpers/keygate.js';
import { nginxMissing, type RunningNginx, startNginx } from '../helpers/nginx.js';

const SCOPE = 'agents-availability:read';

/**
 * Mutual TLS (RFC 8705) behind Debian's nginx as docs/mutual-tls.md configures it: a registered
 * certificate authenticates the client, and the token it gets works only with that certificate.
 */
describe.skipIf(nginxMissing ?? opensslMissing)('mutual TLS behind nginx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-mtls-'));
  let keygate: TestKeygate;
  let nginx: RunningNginx;
  let tokenOrigin: string;
  let apiOrigin: string;
  let registered: { cert: string; key: string };
  let stranger: { cert: string; key: string };
  let clientId: string;
  const agents: Agent[] = [];

  /** An HTTPS client presenting `identity`, or no certificate; it trusts the test's server certificate. */
  const clientWith = (identity?: { cert: string; key: string }) => {
    const agent = new Agent({ connect: { ...identity, rejectUnauthorized: false } });
    agents.push(agent);
    return agent;
  };
  const askToken = async (agent: Agent, headers: Record<string, string> = {}) => {
    const answer = await undiciFetch(`${tokenOrigin}${TOKEN_PATH}`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        scope: SCOPE,
      }).toString(),
    });
    return { status: answer.status, body: (await answer.json()) as Record<string, string> };
  };
  const callApi = async (agent: Agent, token: string) =>
    (
      await undiciFetch(`${apiOrigin}/agents-availability?skillNames=Sales`, {
        dispatcher: agent,
        headers: { authorization: `Bearer ${token}` },
      })
    ).status;

  beforeAll(async () => {
    selfSigned(dir, 'server');
    registered = selfSigned(dir, 'payments-client');
    stranger = selfSigned(dir, 'someone-else');
    keygate = await startTestKeygate(documentedSettings('mutual-tls.md'));
    const created = await keygate.credentials.createWithKeys({
      accountId: (await keygate.store.accounts.list())[0]!.id,
      name: 'Payments over mutual TLS',
      scopes: [SCOPE],
      publicKeys: [registered.cert],
    });
    clientId = created.credential.clientId;
    const [tokenPort, apiPort] = [await freePort(), await freePort()];
    const documented = withPlaceholders(documentedBlock('mutual-tls.md', 'nginx'), {
      '127.0.0.1:8443': `127.0.0.1:${tokenPort}`,
      '127.0.0.1:8444': `127.0.0.1:${apiPort}`,
      '127.0.0.1:8080': new URL(keygate.url).host,
      '127.0.0.1:8081': new URL(keygate.gatewayUrl!).host,
      '/etc/keygate/tls/server.crt': join(dir, 'server.crt'),
      '/etc/keygate/tls/server.key': join(dir, 'server.key'),
    });
    // The documented servers speak TLS only: a plain one answers the helper's readiness probe.
    nginx = await startNginx((port) => `${documented}\n  server { listen 127.0.0.1:${port}; return 200; }`);
    tokenOrigin = `https://127.0.0.1:${tokenPort}`;
    apiOrigin = `https://127.0.0.1:${apiPort}`;
  });
  afterAll(async () => {
    for (const agent of agents) await agent.close();
    await nginx?.stop();
    await keygate?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('authenticates the client by its registered certificate and binds the token to it', async () => {
    const answer = await askToken(clientWith(registered));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.token_type).toBe('Bearer');
    const thumbprint = (await keygate.credentials.listKeys(clientId))[0]!.jwk['x5t#S256'];
    expect(thumbprint).toMatch(/^[\w-]{43}$/);
    expect(decodeJwt(answer.body.access_token!).cnf).toEqual({ 'x5t#S256': thumbprint });
  });

  it('admits the bound token only over mutual TLS with the same certificate', async () => {
    const { access_token: token } = (await askToken(clientWith(registered))).body;
    expect(await callApi(clientWith(registered), token!)).toBe(200);
    expect(await callApi(clientWith(), token!)).toBe(401);
    expect(await callApi(clientWith(stranger), token!)).toBe(401);
  });

  it('introspects over mutual TLS too, authenticated by the certificate, and shows the binding', async () => {
    const agent = clientWith(registered);
    const { access_token: token } = (await askToken(agent)).body;
    const answer = await undiciFetch(`${tokenOrigin}/Auth/connect/introspect`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: token!, client_id: clientId }).toString(),
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      active: true,
      token_type: 'Bearer',
      cnf: { 'x5t#S256': expect.stringMatching(/^[\w-]{43}$/) },
    });
  });

  it('refuses another certificate, no certificate, and a certificate sent as a header by the caller', async () => {
    expect((await askToken(clientWith(stranger))).status).toBe(401);
    expect((await askToken(clientWith())).status).toBe(401);
    // nginx replaces the caller's own header with this connection's certificate: here, none.
    const forged = await askToken(clientWith(), { 'x-ssl-client-cert': encodeURIComponent(registered.cert) });
    expect(forged.status).toBe(401);
    expect(forged.body.error).toBe('invalid_client');
  });

  it('refuses the certificate header from an address that is not the terminator, at both origins', async () => {
    // A certificate is public: a caller who reaches Keygate around nginx copies one into the header.
    const forged = { 'x-ssl-client-cert': encodeURIComponent(registered.cert) };
    const direct = await postForm(
      keygate.url + TOKEN_PATH,
      { grant_type: 'client_credentials', client_id: clientId, scope: SCOPE },
      forged,
      '127.0.0.7',
    );
    expect(direct.status).toBe(400);
    expect(direct.body).toEqual({
      error: 'invalid_request',
      error_description: 'The x-ssl-client-cert header is accepted only from a trusted proxy (trustProxy)',
    });
    const { access_token: token } = (await askToken(clientWith(registered))).body;
    const call = await undiciFetch(`${keygate.gatewayUrl}/agents-availability?skillNames=Sales`, {
      dispatcher: agentFrom('127.0.0.7'),
      headers: { authorization: `Bearer ${token}`, ...forged },
    });
    expect(call.status).toBe(400);
    expect(await call.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('serves keygate/client with the certificate method and a fetch that presents the certificate', async () => {
    const agent = clientWith(registered);
    const viaAgent = ((url: string | URL, init?: RequestInit) =>
      undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch;
    const tokens = createTokenProvider({
      clientId,
      tokenUrl: `${tokenOrigin}${TOKEN_PATH}`,
      authMethod: 'self_signed_tls_client_auth',
      scope: SCOPE,
      fetch: viaAgent,
    });
    const api = createApiClient({ tokens, apiBaseUrl: apiOrigin, fetch: viaAgent });
    const answer = await api.get('/agents-availability', { query: { skillNames: 'Sales' } });
    expect(answer.status).toBe(200);
  });

  it('advertises the method and bound tokens in its metadata', async () => {
    const metadata = (await (
      await fetch(`${keygate.url}/.well-known/oauth-authorization-server/Auth`)
    ).json()) as {
      token_endpoint_auth_methods_supported: string[];
      tls_client_certificate_bound_access_tokens?: boolean;
    };
    expect(metadata.token_endpoint_auth_methods_supported).toContain('self_signed_tls_client_auth');
    expect(metadata.tls_client_certificate_bound_access_tokens).toBe(true);
  });
});
