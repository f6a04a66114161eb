import { DomainError } from './domain-error.js';
import { asciiJson, hasControlCharacters, hasInvisibleFormatting } from './printable-text.js';

/** The claim that carries a credential's metadata in its tokens. */
export const METADATA_CLAIM = 'keygate_metadata';

const KEY = /^[a-z][a-z0-9_.-]{0,39}$/;
const MOST_PAIRS = 20;
const LONGEST_VALUE = 200;
/**
 * Bytes of the whole object in its header form: tokens and `X-Keygate-Metadata` travel in headers,
 * which proxies cap at a few KB (nginx refuses a call whose headers outgrow its buffers).
 */
const LARGEST_HEADER = 2048;

/**
 * The metadata as upstreams receive it in `X-Keygate-Metadata`: compact JSON, ASCII only, with
 * everything else as `\u` escapes. Being ASCII, its length is its size in bytes; it is never shorter
 * than the UTF-8 JSON the token carries, so the limit on it bounds both.
 */
export function metadataHeaderValue(metadata: Readonly<Record<string, string>>): string {
  // Most credentials have none, and every call forwards the header.
  if (Object.keys(metadata).length === 0) return '{}';
  return asciiJson(JSON.stringify(metadata));
}

/**
 * Validates a credential's metadata: at most 20 pairs, keys of lower-case letters, digits and
 * `_.-` (40 at most), values printable text of 200 characters at most under the rule names follow,
 * 2048 bytes in all as the `X-Keygate-Metadata` header. It is copied into every token and shown to
 * every upstream: it is for routing and attribution, never for secrets.
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
    if (
      typeof value !== 'string' ||
      value.length > LONGEST_VALUE ||
      hasControlCharacters(value) ||
      hasInvisibleFormatting(value)
    ) {
      throw refuse(
        `the value of ${key} must be printable text of ${LONGEST_VALUE} characters at most, without control, direction-override or zero-width characters`,
      );
    }
    metadata[key] = value;
  }
  const size = metadataHeaderValue(metadata).length;
  if (size > LARGEST_HEADER) {
    throw refuse(
      `at most ${LARGEST_HEADER} bytes in all as the X-Keygate-Metadata header (JSON, non-ASCII as \\u escapes); it would be ${size}`,
    );
  }
  return metadata;
}
