import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.js';
import type { ApiDocumentVersion } from '../core/model.js';
import type { DeclaringDocument } from './scope-declarations.js';

/** What tells this copy of an API document from another: its name, stated version and content. */
export function apiDocumentVersion({ document, where }: DeclaringDocument): ApiDocumentVersion {
  const named = document['x-keygate-api'];
  const version = document.info?.version;
  return {
    name: typeof named === 'string' && named !== '' ? named : where,
    version: typeof version === 'string' ? version : null,
    fingerprint: createHash('sha256').update(canonicalJson(document)).digest('hex'),
    source: where,
  };
}
