import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, logIn } from '../helpers/admin.js';
import { requestToken, startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { keygateWithAdmin } from '../helpers/keygate-with-admin.js';
import { startEchoUpstream } from '../helpers/upstream.js';

const BIN = fileURLToPath(new URL('../../bin/keygate.js', import.meta.url));
/** The README's example: orders:read (supervisors may grant it too) and orders:write (admins only). */
const ORDERS = fileURLToPath(new URL('../../examples/orders-api/orders.openapi.json', import.meta.url));

/** The parts of the example document that the variants below change. */
interface OrdersDocument {
  'x-keygate-api': string;
  paths: Record<string, Record<string, { security?: unknown }>>;
  components: {
    securitySchemes: { keygate: { flows: { clientCredentials: { scopes: Record<string, string> } } } };
  };
}

/** A copy of the example document, changed by `edit`, in a file of its own. */
function ordersVariant(edit: (document: OrdersDocument) => void): string {
  const document = JSON.parse(readFileSync(ORDERS, 'utf8')) as OrdersDocument;
  edit(document);
  const file = join(mkdtempSync(join(tmpdir(), 'keygate-doc-')), 'orders.json');
  writeFileSync(file, JSON.stringify(document));
  return file;
}

/** The CLI on the same store and configuration as the running Keygate, as an operator runs it. */
function cli(keygate: TestKeygate, config: object, ...args: string[]) {
  const file = join(mkdtempSync(join(tmpdir(), 'keygate-config-')), 'keygate.config.json');
  writeFileSync(file, JSON.stringify(config));
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH, KEYGATE_DATA_DIR: keygate.dataDir, KEYGATE_CONFIG: file } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('an operator’s own API and its own scopes', () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let config: { apiDocuments: Array<{ file: string; upstream: string }> };
  beforeAll(async () => {
    upstream = await startEchoUpstream();
    config = { apiDocuments: [{ file: ORDERS, upstream: upstream.url }] };
  });
  afterAll(() => upstream?.close());
  const given = keygateWithAdmin(() => config);

  it('offers the declared scopes beside VCC’s, with their descriptions and API, in the admin API', async () => {
    const answer = await given.admin.call<{ scopes: Array<Record<string, unknown>> }>('GET', '/scopes');
    expect(answer.body.scopes).toContainEqual({
      value: 'orders:read',
      description: 'Read orders',
      api: 'Orders',
      grantable: true,
    });
    expect(answer.body.scopes).toContainEqual({
      value: 'orders:write',
      description: 'Create and change orders',
      api: 'Orders',
      grantable: true,
    });
    expect(answer.body.scopes.map((s) => s.value)).toContain('agents-availability:read');
  });

  it('lets a supervisor grant only what x-keygate-grantable-by allows', async () => {
    const user = await addUser(given.admin, 'orders-supervisor@keygate.local', 'supervisor');
    const supervisor = await logIn(given.keygate, user.email, user.password);
    const scopes = await supervisor.call<{ scopes: Array<{ value: string; grantable: boolean }> }>(
      'GET',
      '/scopes',
    );
    const grantable = scopes.body.scopes.filter((s) => s.grantable).map((s) => s.value);
    expect(grantable).toContain('orders:read');
    expect(grantable).not.toContain('orders:write');
    const refused = await supervisor.call('POST', '/credentials', {
      name: 'Too much',
      scopes: ['orders:write'],
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'scope_not_grantable', field: 'scopes' });
    const created = await supervisor.call('POST', '/credentials', {
      name: 'Reader',
      scopes: ['orders:read'],
    });
    expect(created.status).toBe(201);
  });

  it('grants them in the admin API and the CLI; tokens for each; the gateway admits by scope', async () => {
    const viaApi = await given.admin.call<{ credential: { clientId: string }; clientSecret: string }>(
      'POST',
      '/credentials',
      { name: 'Order reader', scopes: ['orders:read'] },
    );
    expect(viaApi.status, JSON.stringify(viaApi.body)).toBe(201);
    const viaCli = await cli(
      given.keygate,
      config,
      'credentials',
      'create',
      '--name',
      'Order writer',
      '--scope',
      'orders:write',
      '--json',
    );
    expect(viaCli.stderr).toBe('');
    const writer = JSON.parse(viaCli.stdout) as { client_id: string; client_secret: string };

    const reader = { clientId: viaApi.body.credential.clientId, clientSecret: viaApi.body.clientSecret };
    const readToken = await requestToken(given.keygate, reader, 'orders:read');
    const writeToken = await requestToken(
      given.keygate,
      { clientId: writer.client_id, clientSecret: writer.client_secret },
      'orders:write',
    );
    expect(readToken.status).toBe(200);
    expect(writeToken.status).toBe(200);

    const bearer = (token: unknown) => ({ authorization: `Bearer ${String(token)}` });
    const list = await fetch(`${given.keygate.gatewayUrl}/orders`, {
      headers: bearer(readToken.body?.access_token),
    });
    expect(list.status).toBe(200);
    expect(upstream.seen.at(-1)!.headers['x-keygate-scopes']).toBe('orders:read');
    const create = await fetch(`${given.keygate.gatewayUrl}/orders`, {
      method: 'POST',
      headers: bearer(readToken.body?.access_token),
    });
    expect(create.status).toBe(403);
    expect(create.headers.get('www-authenticate')).toContain('scope="orders:write"');
    const written = await fetch(`${given.keygate.gatewayUrl}/orders`, {
      method: 'POST',
      headers: bearer(writeToken.body?.access_token),
    });
    expect(written.status).toBe(200);
  });

  it('lists them in keygate scopes and in the discovery documents', async () => {
    const listed = await cli(given.keygate, config, 'scopes', '--json');
    expect(JSON.parse(listed.stdout)).toContainEqual({
      scope: 'orders:read',
      api: 'Orders',
      grantable_by: ['admin', 'supervisor'],
      status: 'available',
      description: 'Read orders',
    });
    const metadata = (await (
      await fetch(`${given.keygate.url}/.well-known/oauth-authorization-server/Auth`)
    ).json()) as {
      scopes_supported: string[];
    };
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining(['orders:read', 'orders:write', 'stats']),
    );
    const resource = (await (
      await fetch(`${given.keygate.gatewayUrl}/.well-known/oauth-protected-resource`)
    ).json()) as {
      scopes_supported: string[];
    };
    expect(resource.scopes_supported).toEqual(expect.arrayContaining(['orders:read', 'orders:write']));
  });
});

describe('API documents that declare scopes wrongly stop the start, naming the file', () => {
  it('an operation that requires a scope nobody declares', async () => {
    const file = ordersVariant((document) => {
      document.paths['/orders/{orderId}']!.get!.security = [{ keygate: ['orders:audit'] }];
    });
    await expect(
      startTestKeygate({ apiDocuments: [{ file, upstream: 'http://127.0.0.1:9' }] }),
    ).rejects.toThrow(
      `${file}: GET /orders/{orderId} requires the scope orders:audit, which no API document declares`,
    );
  });

  it('two documents that declare one scope differently', async () => {
    const other = ordersVariant((document) => {
      document['x-keygate-api'] = 'orders-archive';
      document.components.securitySchemes.keygate.flows.clientCredentials.scopes['orders:read'] =
        'Read archived orders';
    });
    await expect(
      startTestKeygate({
        apiDocuments: [
          { file: ORDERS, upstream: 'http://127.0.0.1:9' },
          { file: other, upstream: 'http://127.0.0.1:9' },
        ],
      }),
    ).rejects.toThrow(
      `${other}: declares the scope orders:read as "Read archived orders" (grantable by admin and supervisor), but ${ORDERS} declares it as "Read orders" (grantable by admin and supervisor)`,
    );
  });
});

describe('a removed API document', () => {
  it('starts; credentials keep its scopes, marked unavailable; no tokens for them; explain says why', async () => {
    // One issuer and audience across both starts, and for the CLI, as one deployment has.
    const origins = { publicUrl: 'http://auth.keygate.test', audience: 'http://api.keygate.test' };
    const withOrders = { ...origins, apiDocuments: [{ file: ORDERS, upstream: 'http://127.0.0.1:9' }] };
    const dataDir = mkdtempSync(join(tmpdir(), 'keygate-removed-'));
    const first = await startTestKeygate(withOrders, dataDir);
    const reader = await first.createCredential(['orders:read', 'stats'], 'Order reader');
    const token = await requestToken(first, reader, 'orders:read');
    expect(token.status).toBe(200);
    await first.stop();

    const second = await startTestKeygate(origins, dataDir);
    try {
      const refused = await requestToken(second, reader, 'orders:read');
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({
        error: 'invalid_scope',
        error_description:
          'The scope is no longer offered: orders:read (no configured API document declares it)',
      });
      expect((await requestToken(second, reader, 'stats')).status).toBe(200);

      const listed = await cli(second, origins, 'scopes', '--json');
      expect(JSON.parse(listed.stdout)).toContainEqual(
        expect.objectContaining({ scope: 'orders:read', status: 'unavailable' }),
      );
      // Renaming keeps the scope it holds.
      const renamed = await cli(
        second,
        {},
        'credentials',
        'update',
        reader.clientId,
        '--name',
        'Old order reader',
      );
      expect(renamed.stderr).toBe('');
      const explained = await cli(
        second,
        origins,
        'explain',
        '--token',
        String(token.body?.access_token),
        '--path',
        '/orders',
      );
      expect(explained.stdout).toContain(
        "no API declares GET /orders; the token's scope orders:read is no longer offered (no configured API document declares it)",
      );
      const metadata = (await (
        await fetch(`${second.url}/.well-known/oauth-authorization-server`)
      ).json()) as {
        scopes_supported: string[];
      };
      expect(metadata.scopes_supported).not.toContain('orders:read');
    } finally {
      await second.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
