import { Counter, Histogram, Registry } from 'prom-client';

type Observer = { observe(value: number): void };

/**
 * Prometheus metrics of the gateway. Labels are the API, the status and the scope that admitted
 * the call — never a client ID, a token or anything secret.
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

  /** Label sets seen so far, resolved once: prom-client would otherwise hash the labels on every call. */
  readonly #requestCounters = new Map<string, { inc(): void }>();
  readonly #apiHistograms = new Map<string, { duration: Observer; added: Observer }>();

  /**
   * One answered request: `seconds` from its arrival to the end of the answer, `upstreamSeconds`
   * of which were spent waiting for the upstream's answer (0 when it never went upstream).
   */
  observe(api: string, status: number, scope: string, seconds: number, upstreamSeconds = 0): void {
    const key = `${api} ${status} ${scope}`;
    let counter = this.#requestCounters.get(key);
    if (!counter) {
      counter = this.#requests.labels(api, String(status), scope);
      this.#requestCounters.set(key, counter);
    }
    counter.inc();
    let histograms = this.#apiHistograms.get(api);
    if (!histograms) {
      histograms = { duration: this.#duration.labels(api), added: this.#added.labels(api) };
      this.#apiHistograms.set(api, histograms);
    }
    histograms.duration.observe(seconds);
    histograms.added.observe(seconds - upstreamSeconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
