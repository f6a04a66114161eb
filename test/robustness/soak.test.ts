import { describe, expect, it } from 'vitest';
import { soak } from '../../bench/soak/soak.js';
import { freePort } from '../../testkit/free-port.js';

// CI runs the two-minute version; elsewhere a 20-second one keeps `npm test` quick (KEYGATE_SOAK_SECONDS overrides).
const seconds = Number(process.env.KEYGATE_SOAK_SECONDS ?? (process.env.CI ? 120 : 20));
if (!process.env.CI && !process.env.KEYGATE_SOAK_SECONDS) {
  process.stdout.write('Soak test: 20 s outside CI (CI runs 120 s; set KEYGATE_SOAK_SECONDS to choose)\n');
}

describe('soak (short version of bench/soak)', () => {
  it(
    `serves the token endpoint and the gateway for ${seconds} s at steady rates without a single error`,
    async () => {
      const ports = { token: await freePort(), gateway: await freePort(), samples: await freePort() };
      const report = await soak({
        durationSeconds: seconds,
        tokenRate: 400,
        gatewayRate: 800,
        windowSeconds: 10,
        ports,
      });
      process.stdout.write(`soak: ${JSON.stringify(report.windows)}\n`);
      expect(report.requests).toBeGreaterThan(seconds * 800);
      expect(report.errors).toBe(0);
      expect(report.non2xx).toBe(0);
      // Memory, not time: the server must not grow without bound (a leak per request would show here).
      const rss = report.windows.map((w) => w.rssMiB);
      expect(Math.max(...rss)).toBeLessThan(rss[0]! * 2 + 50);
    },
    (seconds + 60) * 1000,
  );
});
