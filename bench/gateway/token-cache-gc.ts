/**
 * What a full verified-token cache costs the garbage collector: a forced full collection's time,
 * with 100,000 verified tokens held, in each of three layouts, each in a fresh process pinned to
 * CPU 0 (`node --expose-gc`):
 *
 * - empty — nothing held: the floor, the rest of the process;
 * - map (reference) — the layout the gateway had until session 7: a Map from each token's
 *   base64url SHA-256 to an object of its claims, with its token ID and the answer object;
 * - table — the gateway's VerifiedTokenTable (typed arrays, one shared grant).
 *
 * Run: `npm run bench:token-cache` (BENCH_TOKENS to change the count).
 */
import { hash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VerifiedTokenTable } from '../../src/gateway/verified-token-table.js';
import { plainNodeEntry } from '../lib/plain-node.js';
import { runPinned } from '../lib/run-pinned.js';

const LAYOUTS = ['empty', 'map', 'table'] as const;
type Layout = (typeof LAYOUTS)[number];
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

interface Measured {
  layout: Layout;
  tokens: number;
  /** Median of 15 forced full collections. */
  fullGcMs: number;
  heapUsedMb: number;
}

/** Token IDs as the verifier gets them from JSON.parse: flat strings, not randomUUID's. */
function tokenIds(count: number): string[] {
  return JSON.parse(JSON.stringify(Array.from({ length: count }, () => randomUUID())));
}

/** A stand-in for a JWT of the bench's size (about 700 bytes), distinct per index. */
const tokenText = (i: number) => `eyJhbGciOiJFUzI1NiJ9.${'x'.repeat(600)}.${i}`;

function fill(layout: Layout, count: number): unknown {
  const scopes = Object.freeze(['agents-availability:read']);
  const ids = tokenIds(count);
  const exp = Math.floor(Date.now() / 1000) + 3600;
  if (layout === 'map') {
    const map = new Map<string, object>();
    for (let i = 0; i < count; i++) {
      const jti = ids[i]!;
      const common = { clientId: 'client', accountId: 'account', scopes, exp };
      const admitted = Object.freeze({ jti, credentialId: 'credential', ...common });
      map.set(hash('sha256', tokenText(i), 'base64url'), { jti, ...common, kid: 'kid', admitted });
    }
    return map;
  }
  if (layout === 'table') {
    const table = new VerifiedTokenTable<object>(count);
    const grant = { kid: 'kid', clientId: 'client', accountId: 'account', scopes, admitted: undefined };
    for (let i = 0; i < count; i++) table.add(hash('sha256', tokenText(i), 'binary'), ids[i]!, exp, grant);
    return table;
  }
  return undefined;
}

function measureHere(layout: Layout, count: number): Measured {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const held = fill(layout, count);
  gc();
  gc();
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const started = performance.now();
    gc();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const measured = {
    layout,
    tokens: count,
    fullGcMs: times[7]!,
    heapUsedMb: process.memoryUsage().heapUsed / 1e6,
  };
  if (held === null) throw new Error('unreachable'); // keeps `held` alive through the collections
  return measured;
}

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_TOKENS ?? 100_000);
  const entry = plainNodeEntry(here('./token-cache-gc.ts'));
  const results: Measured[] = [];
  for (const layout of LAYOUTS) {
    const out = await runPinned(0, [process.execPath, '--expose-gc', entry, layout, String(count)]);
    results.push(JSON.parse(out) as Measured);
  }
  const empty = results.find((r) => r.layout === 'empty')!;
  const map = results.find((r) => r.layout === 'map')!;
  const lines = [
    `${count} verified tokens held; a forced full GC, median of 15, one process per layout on CPU 0:`,
    '',
    '| layout | full GC ms | × map | heap used MB |',
    '|---|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.layout} | ${r.fullGcMs.toFixed(2)} | ${(r.fullGcMs / map.fullGcMs).toFixed(2)} | ${r.heapUsedMb.toFixed(1)} |`,
    ),
    '',
    `Over the empty process: map +${(map.fullGcMs - empty.fullGcMs).toFixed(2)} ms, table +${(results.find((r) => r.layout === 'table')!.fullGcMs - empty.fullGcMs).toFixed(2)} ms.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(here('../results'), { recursive: true });
  writeFileSync(
    here('../results/token-cache-gc.json'),
    `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`,
  );
}

// The runner starts this file again, bundled, once per layout: with a layout, it measures that one.
const [layout, count] = process.argv.slice(2);
if (layout === undefined) await main();
else if (LAYOUTS.includes(layout as Layout)) {
  process.stdout.write(JSON.stringify(measureHere(layout as Layout, Number(count))));
} else throw new Error(`unknown layout ${layout}; one of ${LAYOUTS.join(', ')}`);
