import { collectDefaultMetrics, Registry } from 'prom-client';

let processRegistry: Registry | undefined;

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
  }
  return processRegistry;
}
