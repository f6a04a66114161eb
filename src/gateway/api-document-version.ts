import { createHash } from 'node:crypto';
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

/** JSON with every object's keys sorted: one text per content, however the file was laid out. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
