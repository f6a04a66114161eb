import type { IncomingHttpHeaders } from 'node:http';
import { metadataHeaderValue } from '../core/credential-metadata.js';
import { HOP_BY_HOP, namedInConnection } from './hop-by-hop.js';
import { isReservedHeader } from './reserved-headers.js';

/**
 * `expect`: Node has already answered a 100-continue, and the body is read before it is forwarded.
 * `content-length`: undici sets it for the body the gateway read.
 */
const SET_FOR_THE_BODY: ReadonlySet<string> = new Set(['expect', 'content-length']);

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
 * `Connection` header names dropped, reserved headers (reserved-headers.ts: overrides, client
 * addresses, `x-forwarded-*`, `x-keygate-*`, in any spelling) dropped, the bearer token
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
    if (value === undefined || HOP_BY_HOP.has(name) || SET_FOR_THE_BODY.has(name)) continue;
    if (isReservedHeader(name)) continue;
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
  return {
    'x-keygate-account-id': caller.accountId,
    'x-keygate-client-id': caller.clientId,
    'x-keygate-scopes': caller.scopes.join(' '),
    // The credential's metadata as compact JSON, ASCII-only: a header value takes nothing else.
    // Always sent, `{}` when there is none: Caddy 2.6's forward_auth copies an absent header as
    // the literal text of its placeholder.
    'x-keygate-metadata': metadataHeaderValue(caller.metadata),
  };
}
