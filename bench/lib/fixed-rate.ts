import { fileURLToPath } from 'node:url';
import type { FixedRateOptions, FixedRateResult } from './fixed-rate-client.js';
import { plainNodeEntry } from './plain-node.js';
import { runPinned } from './run-pinned.js';

export type { FixedRateOptions, FixedRateResult } from './fixed-rate-client.js';

/**
 * fixedRate in a Node process of its own, pinned to `cpu`, after a 2 s unmeasured warm-up: a fresh,
 * small heap, so the client's own garbage collection (the bench process holds every minted token)
 * does not land in the latencies.
 */
export async function fixedRateInOwnProcess(
  options: FixedRateOptions,
  cpu: number,
): Promise<FixedRateResult> {
  const client = plainNodeEntry(fileURLToPath(new URL('./fixed-rate-client.ts', import.meta.url)));
  const stdout = await runPinned(cpu, [process.execPath, client, JSON.stringify(options)]);
  return JSON.parse(stdout) as FixedRateResult;
}
