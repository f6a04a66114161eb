/**
 * bench/soak — the token endpoint and the gateway at fixed rates for a long time:
 * error count (target 0), p99 per window (target: no drift), server RSS (target: flat).
 *
 *   npm run bench:soak                                   # 30 minutes
 *   SOAK_MINUTES=2 SOAK_TOKEN_RATE=2000 SOAK_GATEWAY_RATE=2000 npm run bench:soak
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { soak } from './soak.js';

const minutes = Number(process.env.SOAK_MINUTES ?? 30);
// Defaults: about half of the peaks measured by bench/token and bench/gateway on this machine.
const tokenRate = Number(process.env.SOAK_TOKEN_RATE ?? 2000);
const gatewayRate = Number(process.env.SOAK_GATEWAY_RATE ?? 2000);
const report = await soak({ durationSeconds: minutes * 60, tokenRate, gatewayRate, windowSeconds: 60 });

const first = report.windows[0]!;
const last = report.windows[report.windows.length - 1]!;
const lines = [
  `${minutes} min at ${tokenRate} tokens/s + ${gatewayRate} gateway calls/s: ${report.requests} requests, ${report.errors} errors, ${report.non2xx} non-2xx`,
  `token p99 ${first.tokenP99} ms → ${last.tokenP99} ms; gateway p99 ${first.gatewayP99} ms → ${last.gatewayP99} ms; RSS ${first.rssMiB} MiB → ${last.rssMiB} MiB`,
  '',
  '| minute | token p99 ms | gateway p99 ms | RSS MiB |',
  '|---:|---:|---:|---:|',
  ...report.windows.map((w) => `| ${w.second / 60} | ${w.tokenP99} | ${w.gatewayP99} | ${w.rssMiB} |`),
];
process.stdout.write(`${lines.join('\n')}\n`);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
mkdirSync(here('../results'), { recursive: true });
writeFileSync(
  here('../results/soak.json'),
  `${JSON.stringify({ date: new Date().toISOString(), minutes, tokenRate, gatewayRate, ...report }, null, 2)}\n`,
);
