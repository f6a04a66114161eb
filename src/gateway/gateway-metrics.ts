import { Counter, Histogram, Registry } from 'prom-client';

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

  observe(api: string, status: number, scope: string, seconds: number): void {
    this.#requests.inc({ api, status: String(status), scope });
    this.#duration.observe({ api }, seconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
