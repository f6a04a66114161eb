import type { Config } from './schema.js';

/** The APIs' own audiences (RFC 8707 resources) that the configured API documents name. */
export function apiResources(config: Pick<Config, 'apiDocuments'>): string[] {
  return config.apiDocuments.flatMap((document) =>
    document.resource === undefined ? [] : [document.resource],
  );
}
