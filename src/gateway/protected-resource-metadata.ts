import type { Config } from '../config/schema.js';
import { DPOP_ALGORITHMS } from '../services/verification/dpop-proof.js';
import type { ApiRoute } from './api-document.js';

/** RFC 9728 protected resource metadata: who issues tokens for this gateway and which scopes it knows. */
export function protectedResourceMetadata(config: Config, routes: readonly ApiRoute[]) {
  return {
    resource: config.audience,
    authorization_servers: [config.publicUrl],
    scopes_supported: [...new Set(routes.flatMap((r) => r.scopes))],
    bearer_methods_supported: ['header'],
    resource_signing_alg_values_supported: ['ES256'],
    // RFC 9728 §2: DPoP-bound tokens are taken, with proofs signed by these.
    dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
    resource_name: `Keygate API gateway (${config.region})`,
  };
}
