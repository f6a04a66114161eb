/**
 * RFC 9110 §7.6.1: connection-specific headers, which a proxy does not forward in either direction
 * (nor `host`: the upstream gets its own).
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  'host',
]);

/** What nearly every client sends: no header named, only whether the connection stays open. */
const ONLY_PERSISTENCE = /^[ \t]*(?:keep-alive|close)[ \t]*$/i;

/**
 * The further header names a message's `Connection` header declares connection-specific (RFC 9110
 * §7.6.1), lower-cased; undefined when it names none, as on almost every message.
 */
export function namedInConnection(connection: string | string[] | undefined): Set<string> | undefined {
  if (connection === undefined || ONLY_PERSISTENCE.test(String(connection))) return undefined;
  let named: Set<string> | undefined;
  for (const option of (Array.isArray(connection) ? connection.join(',') : connection).split(',')) {
    const name = option.trim().toLowerCase();
    if (name === '' || name === 'close' || name === 'keep-alive') continue;
    named ??= new Set();
    named.add(name);
  }
  return named;
}
