import { DomainError } from './domain-error.js';
import { hasControlCharacters } from './printable-text.js';

/** The claim that carries a credential's metadata in its tokens. */
export const METADATA_CLAIM = 'keygate_metadata';

const KEY = /^[a-z][a-z0-9_.-]{0,39}$/;
const MOST_PAIRS = 20;
const LONGEST_VALUE = 200;
/** The whole object as JSON: tokens travel in headers, which proxies cap at a few KB. */
const LARGEST_JSON = 2048;

/**
 * Validates a credential's metadata: at most 20 pairs, keys of lower-case letters, digits and
 * `_.-` (40 at most), values printable text of 200 characters at most, 2 KB of JSON in all. It is
 * copied into every token and shown to every upstream: it is for routing and attribution, never
 * for secrets.
 */
export function validateMetadata(input: unknown): Record<string, string> {
  const refuse = (why: string) => new DomainError('validation_failed', `metadata: ${why}`, 'metadata');
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw refuse('must be an object of string values');
  }
  const entries = Object.entries(input);
  if (entries.length > MOST_PAIRS) throw refuse(`at most ${MOST_PAIRS} pairs`);
  const metadata: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (!KEY.test(key))
      throw refuse(`key ${JSON.stringify(key)} must be lower-case letters, digits and _.- (40 at most)`);
    if (typeof value !== 'string' || value.length > LONGEST_VALUE || hasControlCharacters(value)) {
      throw refuse(`the value of ${key} must be printable text of ${LONGEST_VALUE} characters at most`);
    }
    metadata[key] = value;
  }
  if (JSON.stringify(metadata).length > LARGEST_JSON)
    throw refuse(`at most ${LARGEST_JSON} bytes of JSON in all`);
  return metadata;
}
