import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageRecorder } from '../../src/services/limits/usage-recorder.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

const DAY_MS = 86_400_000;
const MIDNIGHT = Date.parse('2026-03-02T00:00:00Z');

describe('usage counted in memory reaches the store by day and scope', () => {
  let dataDir: string;
  let store: Store;
  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps each day and scope apart, across a day end and a clock set back within one flush', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'keygate-usage-'));
    store = openStore({ dataDir });
    await store.migrate();
    const errors: unknown[] = [];
    const usage = new UsageRecorder(store, (error) => errors.push(error));
    usage.apiCalled('cred-1', 'users:read', MIDNIGHT - 1000);
    usage.apiCalled('cred-1', 'users:read', MIDNIGHT - 10);
    usage.apiCalled('cred-1', 'users:write', MIDNIGHT - 5);
    usage.apiCalled('cred-1', 'users:read', MIDNIGHT + 10);
    usage.apiCalled('cred-1', 'users:read', MIDNIGHT - 1); // a clock set back across midnight
    usage.tokenIssued(
      'cred-1',
      { secretId: 'secret-1' },
      ['users:read', 'users:write'],
      MIDNIGHT + DAY_MS / 2,
    );
    usage.apiCalled('cred-2', 'users:read', MIDNIGHT + 20);
    await usage.flush();
    usage.apiCalled('cred-1', 'users:read', MIDNIGHT + 30);
    await usage.flush();

    expect(errors).toEqual([]);
    expect(await store.usage.daily('cred-1')).toEqual([
      { day: '2026-03-01', scope: 'users:read', tokensIssued: 0, apiCalls: 3 },
      { day: '2026-03-01', scope: 'users:write', tokensIssued: 0, apiCalls: 1 },
      { day: '2026-03-02', scope: 'users:read', tokensIssued: 1, apiCalls: 2 },
      { day: '2026-03-02', scope: 'users:write', tokensIssued: 1, apiCalls: 0 },
    ]);
    expect(await store.usage.daily('cred-2')).toEqual([
      { day: '2026-03-02', scope: 'users:read', tokensIssued: 0, apiCalls: 1 },
    ]);
  });
});
