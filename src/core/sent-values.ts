import type { IncomingMessage } from 'node:http';

/**
 * Each value a request sent for a header that Node joins (any but the few it keeps once, such as
 * Host). Node joins a repeated header's values with ", ", so a joined value without a comma was
 * sent once and is its own answer; only one with a comma is read from `headersDistinct`, which
 * Node builds from every header of the request on first read.
 */
export function sentValues(
  request: Pick<IncomingMessage, 'headers' | 'headersDistinct'>,
  // Only names Node joins: of Authorization or Host, say, it keeps the first and drops the rest.
  name: 'dpop' | `x-forwarded-${string}`,
): string[] | undefined {
  const joined = request.headers[name];
  if (joined === undefined) return undefined;
  if (typeof joined === 'string' && !joined.includes(',')) return [joined];
  return request.headersDistinct[name];
}
