/**
 * bench/instructions/functions.ts — what single functions of the gateway's call path cost, in
 * instructions (callgrind), where run.ts counts whole calls. Each case runs in a fresh Node under
 * callgrind twice, 30,000 calls of warm-up and then 0 or 40,000 more; the difference over 40,000 is
 * its cost per call, start-up and warm-up cancelled. It reads this checkout's dist/ (npm run build).
 *
 *   npm run build && node --import tsx bench/instructions/functions.ts [case…]
 */
import { spawnSync } from 'node:child_process';
import { hash, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { callgrindMissing } from './callgrind.js';

const WARM_UP = 30_000;
const COUNTED = 40_000;
const dist = (path: string) => new URL(`../../dist/${path}`, import.meta.url).href;

/** A token of the bench's usual length (580 characters), and the headers its calls carry. */
const TOKEN = `eyJ${'a'.repeat(577)}`;
const INCOMING = { host: '127.0.0.1:18505', connection: 'keep-alive', authorization: `Bearer ${TOKEN}` };
const CALLER = { accountId: 'acc', clientId: 'kg_cli', scopes: ['agents-availability:read'], metadata: {} };

/** Each case makes the function to call, with its inputs prepared. */
const CASES: Record<string, () => Promise<() => unknown>> = {
  /** The verified-token cache's former key: the token's SHA-256. */
  'token digest': async () => () => hash('sha256', TOKEN, 'binary'),
  /** Its key now: the token's text, looked up as a fresh string each call, as a header gives it. */
  'token as key': async () => {
    const copies = Array.from({ length: WARM_UP + COUNTED }, () => Buffer.from(TOKEN).toString('latin1'));
    const cache = new Map([[TOKEN, 1]]);
    let next = 0;
    return () => cache.get(copies[next++]!);
  },
  /** Its key now: the SHA-256 of an ES256 signature, and the signed part compared in full. */
  'signature digest': async () => {
    const signed = `eyJ${'a'.repeat(490)}`;
    const copies = Array.from({ length: WARM_UP + COUNTED }, () =>
      Buffer.from(`${signed}.${'s'.repeat(86)}`).toString('latin1'),
    );
    let next = 0;
    return () => {
      const token = copies[next++]!;
      const dot = token.lastIndexOf('.');
      return hash('sha256', token.slice(dot + 1), 'binary') !== '' && token.slice(0, dot) === signed;
    };
  },
  'bearer token': async () => {
    const { readAccessToken } = await import(dist('gateway/bearer-token.js'));
    return () => readAccessToken(INCOMING.authorization);
  },
  'health check, as Fastify asks it twice': async () => {
    const { isHealthCheck } = await import(dist('server/health.js'));
    const request = { url: '/agents-availability?skillNames=Sales' };
    return () => isHealthCheck(request) || isHealthCheck(request);
  },
  'upstream headers': async () => {
    const { upstreamRequestHeaders } = await import(dist('gateway/upstream-headers.js'));
    const connection = { ip: '127.0.0.1', protocol: 'http', host: '127.0.0.1:18505' };
    return () => upstreamRequestHeaders(INCOMING, connection, CALLER, false);
  },
  metrics: async () => {
    const { GatewayMetrics } = await import(dist('gateway/gateway-metrics.js'));
    const metrics = new GatewayMetrics().forApi('agents-availability');
    return () => metrics.observe(200, 'agents-availability:read', 0.0012, 0.0004);
  },
  /** One request's questions to the trusted proxies: Fastify's ip, ips, protocol, host, and vouches. */
  'proxy trust, as proxy-addr answers': async () => {
    const { default: proxyAddr } = await import('@fastify/proxy-addr');
    const trust = proxyAddr.compile(['127.0.0.1']);
    return () => [0, 1, 2, 3, 4].every((hop) => trust('127.0.0.1', hop));
  },
  'proxy trust, remembered': async () => {
    const { trustedProxies } = await import(dist('config/trusted-proxies.js'));
    const { trust } = trustedProxies(['127.0.0.1']);
    return () => [0, 1, 2, 3, 4].every((hop) => trust('127.0.0.1', hop));
  },
  'request logger': async () => {
    const { createLogger } = await import(dist('server/logger.js'));
    const logger = createLogger('warn');
    return () => logger.child({ reqId: randomUUID() });
  },
};

const [, , child, name, calls] = process.argv;
if (child === '--child') {
  const call = await CASES[name!]!();
  let last: unknown;
  for (let i = 0; i < WARM_UP + Number(calls); i++) last = call();
  if (last === CASES) console.log(last); // keeps the result observable
} else {
  if (callgrindMissing) {
    console.error(`bench:instructions cannot run: ${callgrindMissing}`);
    process.exit(1);
  }
  const self = fileURLToPath(import.meta.url);
  const instructions = (caseName: string, count: number): number => {
    const { stderr } = spawnSync(
      'valgrind',
      [
        '--tool=callgrind',
        '--callgrind-out-file=/dev/null',
        process.execPath,
        '--import',
        'tsx',
        self,
        '--child',
        caseName,
        String(count),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const collected = /Collected : (\d+)/.exec(stderr)?.[1];
    if (collected === undefined) throw new Error(`callgrind counted nothing for ${caseName}:\n${stderr}`);
    return Number(collected);
  };
  const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(CASES);
  console.log('| function | instructions per call |\n|---|---:|');
  for (const caseName of names) {
    const perCall = (instructions(caseName, COUNTED) - instructions(caseName, 0)) / COUNTED;
    console.log(`| ${caseName} | ${Math.round(perCall).toLocaleString('en')} |`);
  }
}
