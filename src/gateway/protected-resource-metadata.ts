import type { Config } from '../config/schema.js';
import type { ApiRoute } from './api-document.js';

/** RFC 9728 protected resource metadata: who issues tokens for this gateway and which scopes it knows. */
export function protectedResourceMetadata(config: Config, routes: readonly ApiRoute[]) {
  return {
    resource: config.audience,
    authorization_servers: [config.publicUrl],
    scopes_supported: [...new Set(routes.flatMap((r) => r.scopes))],
    bearer_methods_supported: ['header'],
    resource_signing_alg_values_supported: ['ES256'],
    resource_name: `Keygate API gateway (${config.region})`,
  };
}
