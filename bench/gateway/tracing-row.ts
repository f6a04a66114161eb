/**
 * bench:gateway's tracing row (BENCH_TRACING=1): the cache-hit path again, one reused token, through
 * a Keygate of this build started with tracing on and every trace sampled (`always_on`), exporting
 * OTLP/HTTP (protobuf, the default) to otlp-receiver.ts on loopback. The receiver runs on CPU 1
 * beside the upstream: a collector does not share the gateway's core. The bench prints what the
 * receiver got beside the row, and fails rather than print a figure for a Keygate that sent nothing:
 * such a row would measure tracing off under the wrong name.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startProcess } from '../../testkit/process.js';
import { waitUntilReady } from '../../testkit/wait-until-ready.js';
import type { LoadResult } from '../lib/harness.js';
import { plainNodeEntry } from '../lib/plain-node.js';
import { counterTotal } from '../lib/prometheus-histogram.js';
import { type Baseline, startBaseline } from './baseline.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export const TRACING_ROW = 'keygate, tracing on (100 %)';

/**
 * What the receiver got over the whole run, the gateway calls the traced Keygate answered, and the
 * spans its SDK dropped, its queue full (OTEL_BSP_MAX_QUEUE_SIZE): sampled, but never sent.
 */
export interface Exported {
  requests: number;
  bytes: number;
  calls: number;
  dropped: number;
}

export interface TracedKeygate {
  target: Baseline;
  /** Resolves once the receiver has had an export; throws if none comes. */
  firstExport(): Promise<void>;
  exported(): Promise<Exported>;
}

/** Starts the receiver, then the traced Keygate; `started` is told of each process as it starts. */
export async function startTracedKeygate(
  work: string,
  ports: { keygate: number; gateway: number; metrics: number; upstream: number; receiver: number },
  path: string,
  nodeFlags: readonly string[],
  started: (child: ChildProcess) => void,
): Promise<TracedKeygate> {
  const receiver = await startProcess(
    process.execPath,
    [plainNodeEntry(here('./otlp-receiver.ts')), String(ports.receiver)],
    { cpu: 1, echoStderr: true, ready: 'message' },
  );
  started(receiver.child);
  const { target, child, output } = await startBaseline(here('../..'), work, ports, path, TRACING_ROW, {
    nodeFlags,
    // The traces endpoint and protocol, not the general ones, so that none the shell exports wins.
    env: {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${ports.receiver}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: 'always_on',
    },
  });
  started(child);
  const received = `http://127.0.0.1:${ports.receiver}/received`;
  return {
    target,
    // The batch processor sends every 5 s (OTEL_BSP_SCHEDULE_DELAY's default), sooner when full.
    firstExport: () =>
      waitUntilReady(received, {
        timeoutMs: 15_000,
        describe: () => `${TRACING_ROW}: Keygate sent no spans to the bench's OTLP receiver`,
      }),
    async exported() {
      const counts = (await (await fetch(received)).json()) as { requests: number; bytes: number };
      const page = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
      // The SDK says so only in Keygate's log, which goes to its stdout.
      const dropped = [...output().matchAll(/Dropped (\d+) spans because maxQueueSize reached/g)];
      return {
        ...counts,
        calls: counterTotal(page, 'keygate_gateway_requests_total'),
        dropped: dropped.reduce((sum, [, count]) => sum + Number(count), 0),
      };
    },
  };
}

/** The summary's line on the tracing row: its ratio to the tracing-off row `off`, and the exports. */
export function tracingSummary(results: LoadResult[], off: string, exported: Exported): string {
  if (exported.requests === 0 || exported.bytes === 0) {
    throw new Error(`${TRACING_ROW}: the OTLP receiver got no spans, so the row measured no tracing`);
  }
  const on = results.find((r) => r.name === TRACING_ROW)!;
  const offResult = results.find((r) => r.name === off)!;
  const offRounds = offResult.rounds ?? [];
  const eachRound = (on.rounds ?? []).map((rate, i) => (rate / offRounds[i]!).toFixed(2)).join(' ');
  const { requests, bytes, calls, dropped } = exported;
  return [
    `${TRACING_ROW}: ${(on.requestsPerSecond / offResult.requestsPerSecond).toFixed(2)} × tracing off (${off}), same run; each round ${eachRound}.`,
    `Its OTLP receiver got ${requests} exports, ${(bytes / 1e6).toFixed(1)} MB, over the whole run, for the ${calls} gateway calls that Keygate answered${calls > 0 ? ` (${Math.round(bytes / calls)} bytes a call)` : ''}; the SDK dropped ${dropped} spans, its queue full.`,
  ].join(' ');
}
