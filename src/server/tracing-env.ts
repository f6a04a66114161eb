import type { Sampler } from '@opentelemetry/sdk-trace';

type SamplerKinds = Pick<
  typeof import('@opentelemetry/sdk-trace'),
  'AlwaysOnSampler' | 'AlwaysOffSampler' | 'ParentBasedSampler' | 'TraceIdRatioBasedSampler'
>;

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/**
 * The sampler `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` name, as the OpenTelemetry
 * environment specification reads them: `parentbased_always_on` where none is named, a ratio of 1
 * where none is given. The SDK's 2.x line read them itself; its 3.x line leaves them to its caller.
 * A sampler Keygate does not build (`jaeger_remote`, `xray`) or a ratio outside 0–1 stops the start.
 */
export function samplerFromEnv(env: NodeJS.ProcessEnv, kinds: SamplerKinds): Sampler {
  const named = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || 'parentbased_always_on';
  if (!(SAMPLERS as readonly string[]).includes(named)) {
    throw new Error(`OTEL_TRACES_SAMPLER=${named}: Keygate samples with ${SAMPLERS.join(', ')}`);
  }
  const base = named.replace(/^parentbased_/, '');
  const root =
    base === 'always_on'
      ? new kinds.AlwaysOnSampler()
      : base === 'always_off'
        ? new kinds.AlwaysOffSampler()
        : new kinds.TraceIdRatioBasedSampler(samplerRatio(env));
  return named.startsWith('parentbased_') ? new kinds.ParentBasedSampler({ root }) : root;
}

function samplerRatio(env: NodeJS.ProcessEnv): number {
  const given = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  if (!given) return 1;
  const ratio = Number(given);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new Error(
      `OTEL_TRACES_SAMPLER_ARG=${given}: the share of traces to keep, from 0 to 1 (0.1 keeps a tenth)`,
    );
  }
  return ratio;
}

/**
 * The batch span processor's settings from `OTEL_BSP_*`; one unset is undefined, and the SDK's
 * default stands.
 */
export function batchSettingsFromEnv(env: NodeJS.ProcessEnv): {
  scheduledDelayMillis: number | undefined;
  exportTimeoutMillis: number | undefined;
  maxQueueSize: number | undefined;
  maxExportBatchSize: number | undefined;
} {
  const read = (name: string): number | undefined => {
    const given = env[name]?.trim();
    if (!given) return undefined;
    const value = Number(given);
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`${name}=${given}: a whole number of 0 or more`);
    }
    return value;
  };
  return {
    scheduledDelayMillis: read('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: read('OTEL_BSP_EXPORT_TIMEOUT'),
    maxQueueSize: read('OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: read('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
  };
}
