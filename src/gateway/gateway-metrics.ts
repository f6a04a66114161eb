import { Registry } from 'prom-client';
import { CellCounter, CellHistogram, type CounterCell, type HistogramCell } from './metric-cells.js';
import { processMetricsRegistry } from './process-metrics.js';

/**
 * Prometheus metrics of the gateway. Labels are the API, the status and the scope that admitted
 * the call — never a client ID, a token or anything secret. The page also carries the process's
 * own metrics (process-metrics.ts).
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #requests = new CellCounter({
    name: 'keygate_gateway_requests_total',
    help: 'Requests answered by the gateway, by API, status and admitting scope',
    labelNames: ['api', 'status', 'scope'] as const,
    registers: [this.registry],
  });
  readonly #duration = new CellHistogram({
    name: 'keygate_gateway_request_duration_seconds',
    help: 'Time from request to the end of the answer, by API',
    labelNames: ['api'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly #added = new CellHistogram({
    name: 'keygate_gateway_added_duration_seconds',
    help: 'Time the gateway itself spent on a request, by API: the whole duration less the wait for the upstream to answer',
    labelNames: ['api'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly #apis = new Map<string, ApiMetrics>();
  /** What the ops listener's /metrics shows: the gateway's metrics and the process's. */
  readonly page = Registry.merge([this.registry, processMetricsRegistry()]);

  /** The metrics of one API: a route handler asks once and keeps them. */
  forApi(api: string): ApiMetrics {
    let metrics = this.#apis.get(api);
    if (!metrics) {
      metrics = new ApiMetrics(api, this.#requests, this.#duration.cell({ api }), this.#added.cell({ api }));
      this.#apis.set(api, metrics);
    }
    return metrics;
  }

  text(): Promise<string> {
    return this.page.metrics();
  }
}

/** One API's request counts and durations; a call already counted costs two map lookups. */
export class ApiMetrics {
  /** Request counters by status, then admitting scope. */
  readonly #counters = new Map<number, Map<string, CounterCell>>();

  constructor(
    private readonly api: string,
    private readonly requests: CellCounter<'api' | 'status' | 'scope'>,
    private readonly duration: HistogramCell,
    private readonly added: HistogramCell,
  ) {}

  /**
   * One answered request: `seconds` from its arrival to the end of the answer, `upstreamSeconds`
   * of which were spent waiting for the upstream's answer (0 when it never went upstream).
   */
  observe(status: number, scope: string, seconds: number, upstreamSeconds = 0): void {
    let byScope = this.#counters.get(status);
    if (!byScope) {
      byScope = new Map();
      this.#counters.set(status, byScope);
    }
    let counter = byScope.get(scope);
    if (!counter) {
      counter = this.requests.cell({ api: this.api, status: String(status), scope });
      byScope.set(scope, counter);
    }
    counter.inc();
    this.duration.observe(seconds);
    this.added.observe(seconds - upstreamSeconds);
  }
}
