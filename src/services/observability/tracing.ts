import type { IncomingHttpHeaders } from 'node:http';
import {
  type Attributes,
  type Context,
  type ContextManager,
  createContextKey,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';

/**
 * Keygate's tracing where it is switched on (server/tracing.ts builds it); absent, nothing is
 * traced and no code below runs. Nothing here is global: Keygate embeds (startKeygate), and a test
 * process runs several, each with its own tracer.
 */
export interface Tracing {
  readonly tracer: Tracer;
  /** W3C Trace Context: the caller's `traceparent` continued, Keygate's own sent on. */
  readonly propagator: TextMapPropagator;
  /** Carries a request's span across its awaits, to the steps that never see the request. */
  readonly contexts: ContextManager;
}

/**
 * Keygate's own span attributes. Never a token, a secret, a client assertion or a query string:
 * only identifiers and decisions.
 */
export const KEYGATE = {
  accountId: 'keygate.account_id',
  clientId: 'keygate.client_id',
  /** The scope that admitted the call; for a token, the scopes it was issued for. */
  scope: 'keygate.scope',
  /** `admitted` or `refused` at the gateway and forward-auth; `issued` or `refused` for a token. */
  decision: 'keygate.decision',
  /** The error code of a refusal (`invalid_token`, `insufficient_scope`, `invalid_client`…). */
  refusal: 'keygate.refusal',
} as const;

/** What a traced request offers: Fastify's request, as the surfaces have it. */
export interface TracedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  protocol: string;
  hostname: string;
  port: number | null;
  ip: string;
  raw: { httpVersion: string };
}

const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

/** `http.request.method` as the semantic conventions spell it: `_OTHER` for a method they do not know. */
export function methodAttributes(method: string): Attributes {
  return KNOWN_METHODS.has(method)
    ? { [ATTR_HTTP_REQUEST_METHOD]: method }
    : { [ATTR_HTTP_REQUEST_METHOD]: '_OTHER', [ATTR_HTTP_REQUEST_METHOD_ORIGINAL]: method };
}

/** The path of a request target, never its query string (where a client may put anything). */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * Starts the SERVER span of a request, as a child of the caller's `traceparent` where it sent one
 * (a new trace otherwise), and returns the context to run the request in.
 */
export function startServerSpan(
  tracing: Tracing,
  request: TracedRequest,
  name: string,
  route: string | undefined,
  attributes: Attributes = {},
): { span: Span; context: Context } {
  const parent = tracing.propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
  const span = tracing.tracer.startSpan(
    name,
    {
      kind: SpanKind.SERVER,
      attributes: {
        ...methodAttributes(request.method),
        [ATTR_URL_PATH]: pathOf(request.url),
        [ATTR_URL_SCHEME]: request.protocol,
        [ATTR_SERVER_ADDRESS]: request.hostname,
        ...(request.port !== null && { [ATTR_SERVER_PORT]: request.port }),
        [ATTR_CLIENT_ADDRESS]: request.ip,
        [ATTR_NETWORK_PROTOCOL_VERSION]: request.raw.httpVersion,
        ...(route !== undefined && { [ATTR_HTTP_ROUTE]: route }),
        ...attributes,
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * Ends a SERVER span with the answer's status. A 4xx is the caller's doing, not an error of the
 * server (the HTTP conventions), so only a 5xx marks the span as failed.
 */
export function endServerSpan(span: Span, status: number, errorType?: string): void {
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (status >= 500) {
    span.setAttribute(ATTR_ERROR_TYPE, errorType ?? String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/**
 * Runs one step of a request in a child span of the active one. A step that fails ends its span
 * as failed with the error's code alone: never its message, which may quote what the caller sent.
 * Without tracing it only runs the step.
 */
export function step<T>(tracing: Tracing | undefined, name: string, run: (span: Span | undefined) => T): T {
  if (tracing === undefined) return run(undefined);
  const span = tracing.tracer.startSpan(name, { kind: SpanKind.INTERNAL }, tracing.contexts.active());
  let result: T;
  try {
    result = run(span);
  } catch (error) {
    failed(span, error);
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failed(span, error);
        throw error;
      },
    ) as T;
  }
  span.end();
  return result;
}

function failed(span: Span, error: unknown): void {
  span.setAttribute(ATTR_ERROR_TYPE, errorCode(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/** An error's code (`invalid_client`, `insufficient_scope`…), or its class where it has none. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'unknown';
}

/** Sets attributes on the request's own span (the active one's), from a step deeper down. */
export function annotate(tracing: Tracing | undefined, attributes: Attributes): void {
  if (tracing === undefined) return;
  trace.getSpan(tracing.contexts.active())?.setAttributes(attributes);
}

/**
 * What a gateway call's steps learn for its span (the admitted token), kept in the call's context:
 * the verifier is shared by every call, so it cannot hold it.
 */
export interface CallRecord {
  accountId?: string;
  clientId?: string;
  scopes?: readonly string[];
  resource?: string | undefined;
}

const CALL_RECORD = createContextKey('keygate call record');

export function withCallRecord(context: Context, record: CallRecord): Context {
  return context.setValue(CALL_RECORD, record);
}

export function callRecord(tracing: Tracing): CallRecord | undefined {
  return tracing.contexts.active().getValue(CALL_RECORD) as CallRecord | undefined;
}
