import { hasControlCharacters } from '../core/printable-text.js';
import { GatewayError } from './gateway-error.js';

/**
 * A path made only of segments that every upstream reads the same way: unreserved characters and
 * the harmless sub-delimiters, no empty segment, no dot segment. Forwarded as it came.
 */
const PLAIN_PATH = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9\-._~!$&'()*+,=:@]+)+$/;
/** What may not appear in a segment once percent-decoded: separators, escapes, path parameters. */
const UNSAFE_DECODED = /[/\\%;]/;
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i;

/**
 * The request target the gateway forwards: origin-form, with a path that no upstream can resolve to
 * another route than the one the gateway matched and checked the scope of.
 *
 * A path segment must not hide a separator (`%2F`, `\`, `%5C`), a dot segment (`..`, `%2e%2e`), an
 * escape for a second decoding (`%25`), a path parameter (`;`, which Tomcat and Spring strip), or a
 * control character: an upstream such as nginx decodes and normalises these, so
 * `/useradmin/users/..%2F..%2Fstats` would reach `/stats` on a `users:read` token. Such targets are
 * refused with 400, as is a fragment (`#`), which no client sends, and a `_method` query parameter,
 * which frameworks honour as a method override. Other segments are forwarded percent-encoded in one
 * canonical way, so the upstream decodes exactly the segments the router matched.
 *
 * An absolute-form target (`GET http://host/path`) is forwarded in origin-form: the caller does not
 * choose the upstream's virtual host (undici sends the upstream's own `Host`).
 */
export function forwardedTarget(url: string): string {
  if (url.includes('#')) throw badTarget('a request target cannot carry a fragment (#)');
  let target = url;
  if (target.charCodeAt(0) !== 47 /* '/' */) {
    const origin = ABSOLUTE_FORM.exec(target);
    if (!origin) throw badTarget('the request target must be a path');
    target = target.slice(origin[0].length);
    if (target === '' || target.startsWith('?')) target = `/${target}`;
  }
  const queryAt = target.indexOf('?');
  const path = queryAt < 0 ? target : target.slice(0, queryAt);
  const query = queryAt < 0 ? '' : target.slice(queryAt);
  if (query !== '' && /[?&](?:_|%5f)method=/i.test(query)) {
    throw badTarget('method overrides (_method) are not accepted');
  }
  return (PLAIN_PATH.test(path) ? path : canonicalPath(path)) + query;
}

function canonicalPath(path: string): string {
  if (path.charCodeAt(0) !== 47) throw badTarget('the request target must be a path');
  const segments = path.slice(1).split('/');
  const canonical: string[] = [];
  for (const segment of segments) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw badTarget('the path is not validly percent-encoded');
    }
    if (decoded === '' || decoded === '.' || decoded === '..') {
      throw badTarget('the path has an empty or dot segment');
    }
    if (UNSAFE_DECODED.test(decoded) || hasControlCharacters(decoded)) {
      throw badTarget('a path segment hides a separator, an escape, a ";" or a control character');
    }
    canonical.push(encodeURIComponent(decoded));
  }
  return `/${canonical.join('/')}`;
}

function badTarget(why: string): GatewayError {
  return new GatewayError('invalid_request', 400, `The request target is not accepted: ${why}`);
}
