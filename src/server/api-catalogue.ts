import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { ScopeCatalogue } from '../core/scopes.js';
import { apiDocumentVersion } from '../gateway/api-document-version.js';
import { type ConfiguredApiDocument, readApiDocuments } from '../gateway/api-documents.js';
import { scopeCatalogueFrom } from '../gateway/scope-declarations.js';
import { CatalogueAgreement } from '../services/upkeep/catalogue-agreement.js';
import type { Store } from '../store/store.js';

/** The operator's API documents and the scopes they make, agreed with every region's processes. */
export interface ApiCatalogue {
  /** Read once at start: the catalogue's and the gateway's routes' source. */
  readonly apiDocuments: readonly ConfiguredApiDocument[];
  /** The scopes credentials may hold: VCC's and those the configured API documents declare. */
  readonly catalogue: ScopeCatalogue;
  /** Stops reporting this process and removes its report from the store. */
  close(): Promise<void>;
}

/**
 * Reads the API documents, then joins the regions' agreement on them and reports this process
 * every few minutes, until closed. Every role runs it: each serves some of the catalogue.
 */
export async function joinApiCatalogue(config: Config, store: Store, logger: Logger): Promise<ApiCatalogue> {
  // First, so that an API document's mistake stops the start before anything is opened.
  const apiDocuments = readApiDocuments(config);
  const catalogue = scopeCatalogueFrom(apiDocuments);
  // Then, before anything is opened, the same documents as every other region's live processes.
  const agreement = new CatalogueAgreement(store, {
    region: config.region,
    apiDocuments: apiDocuments.map(apiDocumentVersion),
    rollout: config.apiDocumentRollout,
    warn: (message) => logger.warn(message),
  });
  await agreement.join();
  agreement.start((err) => logger.warn({ err }, 'reporting this process to the store failed'));
  return {
    apiDocuments,
    catalogue,
    close: () =>
      agreement
        .leave()
        .catch((err: unknown) => logger.warn({ err }, 'removing this process’s report failed')),
  };
}
