import type { Config } from '../config/schema.js';
import { type ApiRoute, routesFromDocument } from '../gateway/api-document.js';
import type { ConfiguredApiDocument } from '../gateway/api-documents.js';
import { SAMPLE_APIS } from './index.js';

/** An API behind the gateway: its routes, and where they go (`samples`: the samples' own listener). */
export interface ServedApi {
  readonly api: string;
  readonly routes: readonly ApiRoute[];
  readonly upstream: string;
}

export const SAMPLES_UPSTREAM = 'samples';

/**
 * The APIs the gateway serves: each sample API while the samples run, or wherever `upstreams`
 * points it; then the operator's documents, each with its upstream and audience. The gateway,
 * forward-auth and `keygate explain` serve and judge these same routes.
 */
export function servedApis(config: Config, documents: readonly ConfiguredApiDocument[]): ServedApi[] {
  const served: ServedApi[] = [];
  for (const sample of SAMPLE_APIS) {
    const api = sample.document['x-keygate-api'];
    const upstream = config.upstreams[api] ?? (config.samplesEnabled ? SAMPLES_UPSTREAM : undefined);
    if (upstream === undefined) continue; // samples off and no real upstream named: not served
    served.push({ api, routes: routesFromDocument(sample.document, `sample API ${api}`), upstream });
  }
  for (const { document, where, upstream, resource } of documents) {
    const routes = routesFromDocument(document, where).map((route) => ({ ...route, resource }));
    served.push({ api: document['x-keygate-api'], routes, upstream });
  }
  return served;
}
