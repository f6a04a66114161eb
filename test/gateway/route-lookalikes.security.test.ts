import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { explainWithCli } from '../helpers/keygate-process.js';
import { issueToken } from '../helpers/tokens.js';
import { startEchoUpstream } from '../helpers/upstream.js';

/** One order by ID needs admin:read; the export beside it needs admin:write. */
function exportDocument(): string {
  const needs = (scope: string) => ({
    security: [{ oauth: [scope] }],
    responses: { 200: { description: 'ok' } },
  });
  const file = join(mkdtempSync(join(tmpdir(), 'keygate-doc-')), 'orders.json');
  writeFileSync(
    file,
    JSON.stringify({
      openapi: '3.1.0',
      info: { title: 'Orders', version: '1' },
      'x-keygate-api': 'orders',
      paths: {
        '/orders/{orderId}': { get: needs('admin:read') },
        '/orders/export': { get: needs('admin:write') },
      },
    }),
  );
  return file;
}

/**
 * Express (by default) and ASP.NET Core match paths without case, IIS drops a trailing dot, Rails a
 * format suffix: `/orders/EXPORT` matches `{orderId}` here and is the export there. Refused.
 */
describe('paths an API framework would read as another operation', () => {
  let keygate: TestKeygate;
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let reader: string;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    keygate = await startTestKeygate({
      forwardAuthPort: 0,
      trustProxy: '127.0.0.1',
      apiDocuments: [{ file: exportDocument(), upstream: upstream.url }],
    });
    reader = await issueToken(keygate, await keygate.createCredential(['admin:read']), 'admin:read');
  });
  afterAll(async () => {
    await keygate?.stop();
    await upstream?.close();
  });

  /** `keygate explain` on the same store and API documents, as an operator runs it. */
  const explain = async (path: string) => {
    const config = join(mkdtempSync(join(tmpdir(), 'keygate-config-')), 'keygate.config.json');
    writeFileSync(config, JSON.stringify({ apiDocuments: keygate.config.apiDocuments }));
    const env = {
      PATH: process.env.PATH,
      KEYGATE_DATA_DIR: keygate.dataDir,
      KEYGATE_CONFIG: config,
      KEYGATE_PUBLIC_URL: keygate.config.publicUrl,
      KEYGATE_AUDIENCE: keygate.config.audience,
    };
    return (await explainWithCli(env, reader, path)).json;
  };
  const viaGateway = (path: string) =>
    fetch(`${keygate.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${reader}` } });
  const viaForwardAuth = (path: string) =>
    fetch(`${keygate.forwardAuthUrl}/`, {
      headers: { authorization: `Bearer ${reader}`, 'x-forwarded-method': 'GET', 'x-forwarded-uri': path },
    });

  it.each([
    '/orders/EXPORT',
    '/orders/Export',
    '/orders/%45XPORT',
    '/orders/export.json',
    '/orders/export.',
    '/orders/export%20',
  ])(
    '%s: 400 at the gateway and through forward-auth, the API never called; explain agrees',
    async (path) => {
      const before = upstream.seen.length;
      const why =
        'The request path could be read as GET /orders/export; send it exactly as the API declares it';
      for (const answer of [await viaGateway(path), await viaForwardAuth(path)]) {
        expect(answer.status).toBe(400);
        expect(await answer.json()).toEqual({ error: 'invalid_request', error_description: why });
      }
      expect(upstream.seen.length).toBe(before);
      expect(await explain(path)).toMatchObject({ admitted: false, status: 400, reason: why });
    },
  );

  it('an ID that is no other operation’s path, in any case, is served', async () => {
    for (const path of ['/orders/o-17', '/orders/O-17', '/orders/exports', '/orders/o-17.json']) {
      expect((await viaGateway(path)).status, path).toBe(200);
      expect((await viaForwardAuth(path)).status, path).toBe(200);
    }
    expect((await viaGateway('/orders/export')).status).toBe(403);
  });
});
