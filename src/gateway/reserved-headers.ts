/**
 * Request headers that would let a caller change, after the check, what the API reads: the method
 * (override headers that common frameworks honour), the path or host (`X-Original-URL`,
 * `X-Rewrite-URL`, `X-Host`…), or an internal routing decision (`X-Middleware-Subrequest`). The
 * gateway drops them; forward-auth, whose proxy forwards the call itself, refuses a call that
 * carries one.
 */
const OVERRIDES: ReadonlySet<string> = new Set([
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-original-method',
  'x-original-url',
  'x-original-uri',
  'x-rewrite-url',
  'x-http-host-override',
  'x-host',
  'x-original-host',
  'x-middleware-subrequest',
]);

/**
 * Who the caller is, as some proxy or framework reads it. The gateway sets `X-Forwarded-*` from its
 * own view of the connection and drops these, so an API that reads any of them reads nothing a
 * caller chose. Behind forward-auth, the proxy sets or clears them (docs/forward-auth.md).
 */
const CLIENT_ADDRESS: ReadonlySet<string> = new Set([
  'forwarded',
  'x-real-ip',
  'true-client-ip',
  'x-client-ip',
  'x-cluster-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'client-ip',
  'fly-client-ip',
  'x-azure-clientip',
  'x-appengine-user-ip',
  'x-originating-ip',
  'x-remote-ip',
  'x-remote-addr',
  'x-proxyuser-ip',
  'x-original-forwarded-for',
]);

/** Prefixes of headers set by the gateway (`x-forwarded-`, `x-keygate-`) or by Envoy for itself. */
function hasReservedPrefix(name: string): boolean {
  return (
    name.startsWith('x-') &&
    (name.startsWith('x-forwarded-') || name.startsWith('x-keygate-') || name.startsWith('x-envoy-'))
  );
}

/**
 * A name with underscores for dashes (`x_keygate_account_id`) is the same header to CGI, WSGI,
 * PHP and Rack, which merge it with the real one; it is judged as the dashed name.
 */
function dashed(name: string): string {
  return name.includes('_') ? name.replaceAll('_', '-') : name;
}

/** Whether the gateway drops this lower-case request header instead of forwarding it. */
export function isReservedHeader(name: string): boolean {
  const judged = dashed(name);
  return OVERRIDES.has(judged) || CLIENT_ADDRESS.has(judged) || hasReservedPrefix(judged);
}

/**
 * The first header of a call asked about by forward-auth that the API could read as another call or
 * another caller: an override header, a caller's own `X-Keygate-*` (the proxy sets those from
 * Keygate's answer, and asks without them), or any reserved name spelled with underscores. The
 * proxy sets the dashed `X-Forwarded-*` itself, so those are not refused.
 */
export function refusedByForwardAuth(names: Iterable<string>): string | undefined {
  for (const name of names) {
    if (OVERRIDES.has(name) || name.startsWith('x-keygate-')) return name;
    if (name.includes('_') && isReservedHeader(name)) return name;
  }
  return undefined;
}
