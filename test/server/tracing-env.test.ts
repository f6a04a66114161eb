import { context, ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import * as sdk from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { batchSettingsFromEnv, samplerFromEnv } from '../../src/server/tracing-env.js';

const TRACE_ID = 'ab'.repeat(16);
const sampledParent = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: TRACE_ID,
  spanId: 'cd'.repeat(8),
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
});

/** Whether the sampler keeps a span of a trace started here, and of one a sampled caller started. */
function keeps(env: NodeJS.ProcessEnv): { root: boolean; child: boolean } {
  const sampler = samplerFromEnv(env, sdk);
  const kept = (parent: typeof ROOT_CONTEXT) =>
    sampler.shouldSample(parent, TRACE_ID, 'call', SpanKind.SERVER, {}, []).decision ===
    sdk.SamplingDecision.RECORD_AND_SAMPLED;
  return { root: kept(context.active()), child: kept(sampledParent) };
}

describe('tracing settings from the standard variables', () => {
  it('samples as OTEL_TRACES_SAMPLER and its _ARG say, parentbased_always_on by default', () => {
    expect(keeps({})).toEqual({ root: true, child: true });
    expect(keeps({ OTEL_TRACES_SAMPLER: 'always_off' })).toEqual({ root: false, child: false });
    expect(keeps({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' })).toEqual({ root: false, child: true });
    expect(keeps({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' })).toEqual({
      root: false,
      child: false,
    });
    expect(keeps({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' })).toEqual({
      root: false,
      child: true,
    });
  });

  it('refuses a sampler it does not build and a ratio outside 0–1, naming the variable', () => {
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'xray' }, sdk)).toThrow(/^OTEL_TRACES_SAMPLER=xray: /);
    expect(() =>
      samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '10%' }, sdk),
    ).toThrow(/^OTEL_TRACES_SAMPLER_ARG=10%: /);
  });

  it('passes OTEL_BSP_* to the batch processor, and refuses what is no count', () => {
    expect(batchSettingsFromEnv({ OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_BSP_MAX_QUEUE_SIZE: '4096' })).toEqual({
      scheduledDelayMillis: 50,
      maxQueueSize: 4096,
    });
    expect(() => batchSettingsFromEnv({ OTEL_BSP_EXPORT_TIMEOUT: '-1' })).toThrow(
      /^OTEL_BSP_EXPORT_TIMEOUT=-1: /,
    );
  });
});
