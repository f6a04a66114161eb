import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTAL_TYPES_COMMAND, PORTAL_TYPES_FILE, renderPortalTypes } from '../../scripts/portal-types.js';
import { adminOpenApiDocument } from '../../src/admin-api/openapi-document.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

/**
 * The portal's types of the admin API are generated from its OpenAPI document and committed; a
 * schema changed without regenerating them would let the portal compile against an API that no
 * longer exists. These compare the committed file with what the served document makes now.
 */
describe('portal: the admin API types are generated from the live document', () => {
  let keygate: TestKeygate;
  let served: Record<string, unknown>;

  beforeAll(async () => {
    keygate = await startTestKeygate();
    const response = await fetch(`${keygate.url}/admin/v1/openapi.json`);
    expect(response.status).toBe(200);
    served = (await response.json()) as Record<string, unknown>;
  });
  afterAll(() => keygate?.stop());

  it('builds, without a server, the document a server serves', async () => {
    expect(
      await adminOpenApiDocument(),
      `${PORTAL_TYPES_COMMAND} must read the document /admin/v1/openapi.json serves`,
    ).toEqual(served);
  });

  it('has them committed as that document makes them', async () => {
    expect(
      readFileSync(PORTAL_TYPES_FILE, 'utf8'),
      `portal/src/admin-api.generated.ts differs from what /admin/v1/openapi.json makes now: run \`${PORTAL_TYPES_COMMAND}\` and commit the file`,
    ).toBe(await renderPortalTypes(served));
  });
});
