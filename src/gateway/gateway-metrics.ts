import { Counter, Histogram, Registry } from 'prom-client';
import { processMetricsRegistry } from './process-metrics.js';

/**
 * Prometheus metrics of the gateway. Labels are the API, the status and the scope that admitted
 * the call — never a client ID, a token or anything secret. The page also carries the process's
 * own metrics (process-metrics.ts).
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({
    name: 'keygate_gateway_requests_total',
    help: 'Requests answered by the gateway, by API, status and admitting scope',
    labelNames: ['api', 'status', 'scope'] as const,
    registers: [this.registry],
  });
  readonly #duration = new Histogram({
    name: 'keygate_gateway_request_duration_seconds',
    help: 'Time from request to the end of the answer, by API',
    labelNames: ['api'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly #added = new Histogram({
    name: 'keygate_gateway_added_duration_seconds',
    help: 'Time the gateway itself spent on a request, by API: the whole duration less the wait for the upstream to answer',
    labelNames: ['api'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly #decisions = new Counter({
    name: 'keygate_forward_auth_decisions_total',
    help: 'Calls judged for a proxy through forward-auth, by API, status and admitting scope',
    labelNames: ['api', 'status', 'scope'] as const,
    registers: [this.registry],
  });
  readonly #decisionDuration = new Histogram({
    name: 'keygate_forward_auth_duration_seconds',
    help: 'Time to judge a call for a proxy through forward-auth, by API',
    labelNames: ['api'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly #apis = new Map<string, ApiMetrics>();
  readonly #judgedApis = new Map<string, ApiMetrics>();
  /** What the ops listener's /metrics shows: the gateway's metrics and the process's. */
  readonly page = Registry.merge([this.registry, processMetricsRegistry()]);

  /** The metrics of one API, its duration series present (at zero) from the start. */
  forApi(api: string): ApiMetrics {
    let metrics = this.#apis.get(api);
    if (!metrics) {
      this.#duration.zero({ api });
      this.#added.zero({ api });
      metrics = new ApiMetrics(
        api,
        this.#requests,
        this.#duration.labels({ api }),
        this.#added.labels({ api }),
      );
      this.#apis.set(api, metrics);
    }
    return metrics;
  }

  /** The forward-auth decisions about one API's calls (the proxy, not Keygate, forwards them). */
  forJudgedApi(api: string): ApiMetrics {
    let metrics = this.#judgedApis.get(api);
    if (!metrics) {
      const duration = this.#decisionDuration.labels({ api });
      metrics = new ApiMetrics(api, this.#decisions, duration, { observe: () => {} });
      this.#judgedApis.set(api, metrics);
    }
    return metrics;
  }

  text(): Promise<string> {
    return this.page.metrics();
  }
}

type Observer = Pick<ReturnType<Histogram<'api'>['labels']>, 'observe'>;

/** One API's request counts and durations. */
export class ApiMetrics {
  constructor(
    private readonly api: string,
    private readonly requests: Counter<'api' | 'status' | 'scope'>,
    private readonly duration: Observer,
    private readonly added: Observer,
  ) {}

  /**
   * One answered request: `seconds` from its arrival to the end of the answer, `upstreamSeconds`
   * of which were spent waiting for the upstream's answer (0 when it never went upstream).
   */
  observe(status: number, scope: string, seconds: number, upstreamSeconds = 0): void {
    this.requests.inc({ api: this.api, status: String(status), scope });
    this.duration.observe(seconds);
    this.added.observe(seconds - upstreamSeconds);
  }
}
