import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
}

describe('admin API: OpenAPI document', () => {
  let keygate: TestKeygate;
  let doc: OpenApi;

  beforeAll(async () => {
    keygate = await startTestKeygate();
    const response = await fetch(`${keygate.url}/admin/v1/openapi.json`);
    expect(response.status).toBe(200);
    doc = (await response.json()) as OpenApi;
  });
  afterAll(() => keygate.stop());

  it('is OpenAPI 3.1 and describes every documented operation', () => {
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace('/admin/v1', '')}`),
    );
    for (const documented of [
      'POST /session',
      'GET /session',
      'DELETE /session',
      'GET /scopes',
      'GET /credentials',
      'POST /credentials',
      'GET /credentials/{id}',
      'PATCH /credentials/{id}',
      'DELETE /credentials/{id}',
      'POST /credentials/{id}/secrets',
      'PATCH /credentials/{id}/secrets/{secretId}',
      'DELETE /credentials/{id}/secrets/{secretId}',
      'GET /credentials/{id}/usage',
      'GET /users',
      'POST /users',
      'GET /audit',
      'GET /tokens',
      'POST /tokens',
      'DELETE /tokens/{id}',
    ]) {
      expect(operations).toContain(documented);
    }
  });

  it('resolves every $ref inside the document', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of new Set(refs)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.split('/').pop()!], ref).toBeDefined();
    }
  });

  it('tells what a credential’s metadata may hold: 2048 bytes as its header', () => {
    const credential = doc.components.schemas.Credential as {
      properties: { metadata: { description: string } };
    };
    expect(credential.properties.metadata.description).toMatch(/2048 bytes in all as that header/);
    const body = (
      doc.paths['/admin/v1/credentials']!.post as unknown as {
        requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } };
      }
    ).requestBody.content['application/json'].schema.properties.metadata as { description: string };
    expect(body.description).toMatch(/direction-override or zero-width/);
  });
});
