import { Registry } from 'prom-client';
import { type CounterSeries, HeldCounter, HeldHistogram, type HistogramSeries } from './call-series.js';
import { processMetricsRegistry } from './process-metrics.js';

const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const OWN_TIME_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/**
 * Prometheus metrics of the gateway. Labels are the API, the status and the scope that admitted
 * the call — never a client ID, a token or anything secret. The page also carries the process's
 * own metrics (process-metrics.ts). Each call adds to series it holds (call-series.ts).
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #requests = new HeldCounter(
    'keygate_gateway_requests_total',
    'Requests answered by the gateway, by API, status and admitting scope',
    this.registry,
  );
  readonly #duration = new HeldHistogram(
    'keygate_gateway_request_duration_seconds',
    'Time from request to the end of the answer, by API',
    DURATION_BUCKETS,
    this.registry,
  );
  readonly #added = new HeldHistogram(
    'keygate_gateway_added_duration_seconds',
    'Time the gateway itself spent on a request, by API: the whole duration less the wait for the upstream to answer',
    OWN_TIME_BUCKETS,
    this.registry,
  );
  readonly #decisions = new HeldCounter(
    'keygate_forward_auth_decisions_total',
    'Calls judged for a proxy through forward-auth, by API, status and admitting scope',
    this.registry,
  );
  readonly #decisionDuration = new HeldHistogram(
    'keygate_forward_auth_duration_seconds',
    'Time to judge a call for a proxy through forward-auth, by API',
    OWN_TIME_BUCKETS,
    this.registry,
  );
  readonly #apis = new Map<string, ApiMetrics>();
  readonly #judgedApis = new Map<string, ApiMetrics>();
  /** What the ops listener's /metrics shows: the gateway's metrics and the process's. */
  readonly page = Registry.merge([this.registry, processMetricsRegistry()]);

  /** The metrics of one API, its duration series present (at zero) from the start. */
  forApi(api: string): ApiMetrics {
    let metrics = this.#apis.get(api);
    if (!metrics) {
      metrics = new ApiMetrics(
        api,
        this.#requests,
        this.#duration.series({ api }),
        this.#added.series({ api }),
      );
      this.#apis.set(api, metrics);
    }
    return metrics;
  }

  /** The forward-auth decisions about one API's calls (the proxy, not Keygate, forwards them). */
  forJudgedApi(api: string): ApiMetrics {
    let metrics = this.#judgedApis.get(api);
    if (!metrics) {
      metrics = new ApiMetrics(api, this.#decisions, this.#decisionDuration.series({ api }), undefined);
      this.#judgedApis.set(api, metrics);
    }
    return metrics;
  }

  text(): Promise<string> {
    return this.page.metrics();
  }
}

/** One API's request counts and durations. */
export class ApiMetrics {
  /** The request counter's series of this API, by status, then by scope. */
  readonly #counts = new Map<number, Map<string, CounterSeries>>();

  constructor(
    private readonly api: string,
    private readonly requests: HeldCounter,
    private readonly duration: HistogramSeries,
    private readonly added: HistogramSeries | undefined,
  ) {}

  /**
   * One answered request: `seconds` from its arrival to the end of the answer, `upstreamSeconds`
   * of which were spent waiting for the upstream's answer (0 when it never went upstream).
   */
  observe(status: number, scope: string, seconds: number, upstreamSeconds = 0): void {
    this.#requestsOf(status, scope).value++;
    this.duration.observe(seconds);
    this.added?.observe(seconds - upstreamSeconds);
  }

  #requestsOf(status: number, scope: string): CounterSeries {
    let byScope = this.#counts.get(status);
    if (byScope === undefined) {
      byScope = new Map();
      this.#counts.set(status, byScope);
    }
    let series = byScope.get(scope);
    if (series === undefined) {
      series = this.requests.series({ api: this.api, status: String(status), scope });
      byScope.set(scope, series);
    }
    return series;
  }
}
