import { readFileSync } from 'node:fs';
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Tracing } from '../services/observability/tracing.js';
import { batchSettingsFromEnv, samplerFromEnv } from './tracing-env.js';

/** Tracing as this process runs it: stopped with the process, its last spans sent first. */
export interface RunningTracing extends Tracing {
  shutdown(): Promise<void>;
}

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/**
 * Whether this process traces: the `tracing` setting where given, else whether an OTLP endpoint is
 * configured, as an OpenTelemetry SDK would read it. The SDK's own switches win over both:
 * `OTEL_SDK_DISABLED=true` and `OTEL_TRACES_EXPORTER=none`.
 */
export function tracingWanted(setting: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false;
  if (setting !== undefined) return setting;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
}

/** Which OTLP encoding the exporter speaks: the standard variables, `http/protobuf` by default. */
function otlpProtocol(env: NodeJS.ProcessEnv): 'http/protobuf' | 'http/json' {
  const named = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf')
    .trim()
    .toLowerCase();
  if (named === 'http/protobuf' || named === 'http/json') return named;
  throw new Error(
    `OTEL_EXPORTER_OTLP_PROTOCOL=${named}: Keygate exports traces over OTLP/HTTP only; set it to http/protobuf (the default, port 4318) or http/json`,
  );
}

function exporterNamed(env: NodeJS.ProcessEnv): void {
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporter && exporter !== 'otlp') {
    throw new Error(`OTEL_TRACES_EXPORTER=${exporter}: Keygate exports traces with otlp only (or none)`);
  }
}

/**
 * Starts tracing where it is wanted (`tracingWanted`), else returns undefined and loads nothing:
 * the SDK's modules are imported only here. The exporter reads its `OTEL_EXPORTER_OTLP_*` and the
 * resource detector `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` themselves; the sampler
 * (`OTEL_TRACES_SAMPLER` and its `_ARG`) and the batch processor (`OTEL_BSP_*`) are read here
 * (tracing-env.ts). Nothing is registered globally but the SDK's diagnostics, which go
 * to Keygate's log: Keygate embeds, and a test process runs several, each with its own provider.
 */
export async function startTracing(
  config: Pick<Config, 'tracing' | 'region'>,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<RunningTracing | undefined> {
  if (!tracingWanted(config.tracing, env)) return undefined;
  exporterNamed(env);
  const protocol = otlpProtocol(env);
  const [
    sdk,
    { defaultResource, detectResources, envDetector, resourceFromAttributes },
    { AsyncLocalStorageContextManager },
    { W3CTraceContextPropagator },
    { OTLPTraceExporter },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    protocol === 'http/json'
      ? import('@opentelemetry/exporter-trace-otlp-http')
      : import('@opentelemetry/exporter-trace-otlp-proto'),
  ]);
  diag.setLogger(diagnostics(logger), DiagLogLevel.WARN);
  // `tracing: true` with no endpoint anywhere: the OTLP default, a collector on this host.
  const endpointSet = Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const exporter = new OTLPTraceExporter(endpointSet ? {} : { url: 'http://localhost:4318/v1/traces' });
  const resource = defaultResource()
    .merge(
      resourceFromAttributes({
        'service.name': 'keygate',
        'service.version': version,
        'keygate.region': config.region,
      }),
    )
    // Last, so OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win.
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new sdk.TracerProvider({
    resource,
    sampler: samplerFromEnv(env, sdk),
    spanProcessors: [new sdk.BatchSpanProcessor({ exporter, ...batchSettingsFromEnv(env) })],
  });
  const contexts = new AsyncLocalStorageContextManager().enable();
  logger.info(
    {
      endpoint: exportEndpoint(env),
      protocol,
      sampler: env.OTEL_TRACES_SAMPLER || 'parentbased_always_on',
      samplerArg: env.OTEL_TRACES_SAMPLER_ARG || undefined,
      serviceName: resource.attributes['service.name'],
    },
    'tracing on: spans are exported over OTLP/HTTP',
  );
  return {
    tracer: provider.getTracer('keygate', version),
    propagator: new W3CTraceContextPropagator(),
    contexts,
    async shutdown() {
      // Sends the spans still batched; the exporter's timeout bounds the wait.
      await provider
        .shutdown()
        .catch((err: unknown) => logger.warn({ err }, 'sending the last spans failed'));
      contexts.disable();
      diag.disable();
    },
  };
}

/** Where spans go, for the start-up log: without user information or query, which may hold a key. */
function exportEndpoint(env: NodeJS.ProcessEnv): string {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const raw = traces || (base ? `${base.replace(/\/$/, '')}/v1/traces` : 'http://localhost:4318/v1/traces');
  try {
    const url = new URL(raw);
    return `${url.origin}${url.pathname}`;
  } catch {
    return 'an endpoint that is not a URL';
  }
}

/** The SDK's diagnostics (an export that failed, say) in Keygate's log, warnings and errors only. */
function diagnostics(logger: Logger): DiagLogger {
  const log = logger.child({ component: 'opentelemetry' });
  return {
    error: (message) => log.error(message),
    warn: (message) => log.warn(message),
    info: () => {},
    debug: () => {},
    verbose: () => {},
  };
}
