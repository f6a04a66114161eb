import { readFileSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import type { ScopeCatalogue } from '../core/scopes.js';
import { type ApiDocument, ApiDocumentError } from './api-document.js';
import { type DeclaringDocument, scopeCatalogueFrom } from './scope-declarations.js';

/** An API document of the operator's (`apiDocuments`), read from its file, with its upstream. */
export interface ConfiguredApiDocument extends DeclaringDocument {
  readonly upstream: string;
  /** The API's own audience (RFC 8707), where configured. */
  readonly resource: string | undefined;
}

/** The operator's API documents, read now; a file that cannot be read or parsed stops the start. */
export function readApiDocuments(config: Pick<Config, 'apiDocuments'>): ConfiguredApiDocument[] {
  return config.apiDocuments.map(({ file, upstream, resource }) => {
    try {
      const document = JSON.parse(readFileSync(file, 'utf8')) as ApiDocument;
      return { document, where: file, upstream, resource };
    } catch (error) {
      throw new ApiDocumentError(`apiDocuments: cannot read ${file}: ${(error as Error).message}`);
    }
  });
}

/** The scope catalogue of this configuration: VCC's scopes and those its API documents declare. */
export function scopeCatalogueOf(config: Pick<Config, 'apiDocuments'>): ScopeCatalogue {
  return scopeCatalogueFrom(readApiDocuments(config));
}
