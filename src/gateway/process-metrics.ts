import { PerformanceObserver, constants as performanceConstants } from 'node:perf_hooks';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

let processRegistry: Registry | undefined;

const GC_DURATION = 'nodejs_gc_duration_seconds';
const GC_KINDS: readonly (readonly [number, string])[] = [
  [performanceConstants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [performanceConstants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [performanceConstants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [performanceConstants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
];

/**
 * The Node process's own metrics (prom-client's defaults: CPU, memory and heap spaces, garbage
 * collections by kind, event-loop delay), in one registry per process. An operator reads a
 * gateway's latency beside them: a slow tail that lines up with major collections or a held event
 * loop is the process's, not the upstream's. One per process, because each collection of them
 * installs a GC observer and an event-loop monitor that nothing can remove: the several Keygate
 * instances a test process starts share these.
 */
export function processMetricsRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    // prom-client 15's collector records only the first GC of each batch the observer is handed;
    // under load a batch holds several, so its counts fall short. This one records them all.
    processRegistry.removeSingleMetric(GC_DURATION);
    const collections = new Histogram({
      name: GC_DURATION,
      help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
      labelNames: ['kind'] as const,
      buckets: [0.001, 0.01, 0.1, 1, 2, 5],
      registers: [processRegistry],
    });
    const byKind = new Map(GC_KINDS.map(([kind, name]) => [kind, collections.labels({ kind: name })]));
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
        if (kind !== undefined) byKind.get(kind)?.observe(entry.duration / 1000);
      }
    }).observe({ entryTypes: ['gc'] });
  }
  return processRegistry;
}
