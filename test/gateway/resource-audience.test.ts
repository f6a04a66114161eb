import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postForm, startTestKeygate, type TestKeygate, TOKEN_PATH } from '../helpers/keygate.js';
import { startEchoUpstream } from '../helpers/upstream.js';

const BIN = fileURLToPath(new URL('../../bin/keygate.js', import.meta.url));
const ORDERS = fileURLToPath(new URL('../../examples/orders-api/orders.openapi.json', import.meta.url));
const RESOURCE = 'https://orders.api.example.test';

/**
 * Per-API audiences (RFC 8707): a token asked for with `resource` naming one API carries it as
 * `aud`, and only that API's routes admit it; without, the gateway's audience admits everywhere.
 */
describe('a token for one API (RFC 8707 resource)', () => {
  let keygate: TestKeygate;
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let client: { clientId: string; clientSecret: string };
  let config: object;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    config = { apiDocuments: [{ file: ORDERS, upstream: upstream.url, resource: RESOURCE }] };
    keygate = await startTestKeygate(config);
    client = await keygate.createCredential(['orders:read', 'agents-availability:read'], 'Two APIs');
  });
  afterAll(async () => {
    await keygate?.stop();
    await upstream?.close();
  });

  const tokenFor = (extra: Record<string, string>, scope = 'orders:read agents-availability:read') =>
    postForm(
      keygate.url + TOKEN_PATH,
      { grant_type: 'client_credentials', scope, ...extra },
      { authorization: basic(client.clientId, client.clientSecret) },
    );
  const call = async (path: string, token: string) =>
    (await fetch(`${keygate.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })).status;

  it('carries the resource as aud; that API admits it, another refuses it', async () => {
    const answer = await tokenFor({ resource: RESOURCE });
    expect(answer.status, answer.text).toBe(200);
    const token = String(answer.body?.access_token);
    expect(decodeJwt(token).aud).toBe(RESOURCE);
    expect(await call('/orders', token)).toBe(200);
    expect(await call('/agents-availability?skillNames=Sales', token)).toBe(401);
  });

  it('without resource, the gateway’s audience: every API admits it', async () => {
    const token = String((await tokenFor({})).body?.access_token);
    expect(decodeJwt(token).aud).toBe(keygate.config.audience);
    expect(await call('/orders', token)).toBe(200);
    expect(await call('/agents-availability?skillNames=Sales', token)).toBe(200);
  });

  it('takes audience, as Auth0 names it, the same way; refuses a resource it does not serve', async () => {
    const viaAudience = await tokenFor({ audience: RESOURCE });
    expect(decodeJwt(String(viaAudience.body?.access_token)).aud).toBe(RESOURCE);
    const unknown = await tokenFor({ resource: 'https://billing.api.example.test' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({
      error: 'invalid_target',
      error_description: 'The resource names no API of this gateway',
    });
    const both = await tokenFor({ resource: RESOURCE, audience: keygate.config.audience });
    expect(both.body).toMatchObject({ error: 'invalid_target' });
  });

  it('introspects with its aud, revokes, and keygate explain says why another API refuses it', async () => {
    const token = String((await tokenFor({ resource: RESOURCE })).body?.access_token);
    const introspected = await postForm(
      `${keygate.url}/Auth/connect/introspect`,
      { token },
      { authorization: basic(client.clientId, client.clientSecret) },
    );
    expect(introspected.body).toMatchObject({ active: true, aud: RESOURCE });

    const file = join(mkdtempSync(join(tmpdir(), 'keygate-config-')), 'keygate.config.json');
    writeFileSync(
      file,
      JSON.stringify({ ...config, publicUrl: keygate.config.publicUrl, audience: keygate.config.audience }),
    );
    const explained = await new Promise<string>((resolve) => {
      execFile(
        process.execPath,
        [BIN, 'explain', '--token', token, '--path', '/agents-availability'],
        { env: { PATH: process.env.PATH, KEYGATE_DATA_DIR: keygate.dataDir, KEYGATE_CONFIG: file } },
        (_error, stdout) => resolve(stdout),
      );
    });
    expect(explained).toContain(
      `REFUSED (401): the token is for the API at ${RESOURCE} alone (its RFC 8707 resource)`,
    );

    const revoked = await postForm(
      `${keygate.url}/Auth/connect/revocation`,
      { token },
      { authorization: basic(client.clientId, client.clientSecret) },
    );
    expect(revoked.status).toBe(200);
    expect(await call('/orders', token)).toBe(401);
  });
});
