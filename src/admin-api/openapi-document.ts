import Fastify from 'fastify';
import { ADMIN_PREFIX, type AdminApiContext } from './context.js';
import { adminApiPlugin } from './plugin.js';

/**
 * The admin API's OpenAPI document as /admin/v1/openapi.json serves it, built by the same plugin
 * under the same prefix, with no store, no services and no listener: what the portal's generated
 * types are made from (`npm run generate:portal-types`). The document is made from the routes'
 * declarations alone; the context here throws when touched, so one that came to depend on
 * configuration or data would fail here rather than differ from one server to the next.
 */
export async function adminOpenApiDocument(): Promise<Record<string, unknown>> {
  const app = Fastify();
  try {
    await app.register(async (scope) => adminApiPlugin(scope, untouchableContext()), {
      prefix: ADMIN_PREFIX,
    });
    const answer = await app.inject({ method: 'GET', url: `${ADMIN_PREFIX}/openapi.json` });
    if (answer.statusCode !== 200) {
      throw new Error(`${ADMIN_PREFIX}/openapi.json answered ${answer.statusCode}: ${answer.body}`);
    }
    return answer.json<Record<string, unknown>>();
  } finally {
    await app.close();
  }
}

function untouchableContext(): AdminApiContext {
  return new Proxy({} as AdminApiContext, {
    get(_target, name) {
      throw new TypeError(`the OpenAPI document must not depend on context.${String(name)}`);
    },
  });
}
