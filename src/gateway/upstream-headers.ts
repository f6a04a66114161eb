import type { IncomingHttpHeaders } from 'node:http';
import { metadataHeaderValue } from '../core/credential-metadata.js';
import { HOP_BY_HOP, namedInConnection } from './hop-by-hop.js';

/**
 * Request headers that would let a caller change upstream what the gateway checked: the method
 * (override headers that common frameworks honour), the path (`X-Original-URL`, `X-Rewrite-URL`),
 * or who the caller is (forwarding headers, set below from what the gateway itself saw). `expect`
 * too: Node has already answered a 100-continue, and the body is read before it is forwarded.
 * `content-length`: undici sets it for the body the gateway read.
 */
const CALLER_MAY_NOT_SET: ReadonlySet<string> = new Set([
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-original-method',
  'x-original-url',
  'x-rewrite-url',
  'forwarded',
  'x-real-ip',
  'expect',
  'content-length',
]);

/** What the gateway saw of the caller, with `trustProxy` applied (Fastify's request.ip/ips/protocol/host). */
export interface CallerConnection {
  ip: string;
  /** The trusted chain, nearest first (Fastify's `request.ips`); undefined when no proxy is trusted. */
  ips?: string[] | undefined;
  protocol: string;
  host: string;
}

/** Who the caller is, as checked: forwarded in `x-keygate-*` headers that no caller can set. */
export interface CallerIdentity {
  accountId: string;
  clientId: string;
  scopes: readonly string[];
  metadata: Readonly<Record<string, string>>;
}

/**
 * Request headers for the upstream, built in one pass: hop-by-hop headers and those the
 * `Connection` header names dropped, override and forwarding headers dropped, the bearer token
 * dropped unless configured to keep it; then `X-Forwarded-For/-Proto/-Host` from the gateway's own
 * view of the connection and the caller's identity in `x-keygate-*`.
 */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  connection: CallerConnection,
  caller: CallerIdentity,
  keepBearer: boolean,
): Record<string, string | string[]> {
  const alsoHopByHop = namedInConnection(incoming.connection);
  const headers: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || HOP_BY_HOP.has(name) || CALLER_MAY_NOT_SET.has(name)) continue;
    if (name.startsWith('x-forwarded-') || name.startsWith('x-keygate-')) continue;
    if (alsoHopByHop?.has(name)) continue;
    if (name === 'authorization' && !keepBearer) continue;
    headers[name] = value;
  }
  headers['x-forwarded-for'] = connection.ips ? connection.ips.toReversed().join(', ') : connection.ip;
  headers['x-forwarded-proto'] = connection.protocol;
  headers['x-forwarded-host'] = connection.host;
  return Object.assign(headers, identityHeaders(caller));
}

/** The caller's identity as the upstream receives it, from the gateway or through forward-auth. */
export function identityHeaders(caller: CallerIdentity): Record<string, string> {
  const headers: Record<string, string> = {
    'x-keygate-account-id': caller.accountId,
    'x-keygate-client-id': caller.clientId,
    'x-keygate-scopes': caller.scopes.join(' '),
  };
  // The credential's metadata as compact JSON, ASCII-only: a header value takes nothing else.
  if (Object.keys(caller.metadata).length > 0) {
    headers['x-keygate-metadata'] = metadataHeaderValue(caller.metadata);
  }
  return headers;
}
