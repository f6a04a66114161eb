import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The fair-usage limit of every account under bench: one no run reaches. Its window is one second,
 * so a window ends and a new one opens many times before any measurement: with a minute, the first
 * window ended inside bench:instructions' counted calls, and the code that opens a new window was
 * compiled there, half again the call's count in that window.
 */
export const BENCH_PLAN = { limit: 100_000_000, windowSeconds: 1 } as const;

/**
 * The environment of a Keygate under bench, its files in `dir`: no samples, the Agent Availability
 * API at `ports.upstream`, a fair-usage limit no run reaches, and its listeners on the given ports.
 */
export function benchKeygateEnvironment(
  dir: string,
  ports: { keygate: number; gateway: number; metrics: number; upstream: number },
): NodeJS.ProcessEnv {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'keygate.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      samplesEnabled: false,
      upstreams: { 'agents-availability': `http://127.0.0.1:${ports.upstream}` },
      rateLimitPlans: { standard: { perAccount: BENCH_PLAN } },
    }),
  );
  return {
    ...process.env,
    KEYGATE_CONFIG: config,
    KEYGATE_DATA_DIR: join(dir, 'data'),
    KEYGATE_PORT: String(ports.keygate),
    // The issuer named outright, as a gateway-only process must name it: the default issuer moved
    // to the origin plus /Auth (ADR 0007), and every benched build must agree with its gateway.
    KEYGATE_PUBLIC_URL: `http://127.0.0.1:${ports.keygate}`,
    KEYGATE_GATEWAY_PORT: String(ports.gateway),
    KEYGATE_METRICS_PORT: String(ports.metrics),
    KEYGATE_LOG_LEVEL: 'warn',
    // Behind a proxy, as in production and as docs/forward-auth.md starts it: every benched build
    // reads X-Forwarded-* from 127.0.0.1, so their gateway paths are measured alike.
    KEYGATE_TRUST_PROXY: '127.0.0.1',
  };
}
