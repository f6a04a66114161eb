import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangeFeed } from '../../src/server/change-feed.js';
import { openSqliteStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

const LIVE = '2099-01-01T00:00:00.000Z';

describe('the change feed after the log was pruned under it', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-feed-'));
    store = openSqliteStore(join(dir, 'keygate.sqlite'));
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts over from the newest entry, and says so, when it has not read the log for a while', async () => {
    const errors: unknown[] = [];
    const feed = new ChangeFeed(store, (error) => errors.push(error), 1000);
    const heard: string[] = [];
    let resyncs = 0;
    feed.onChanges((changes) => {
      heard.push(...changes.map((c) => c.ref));
    });
    feed.onResync(() => {
      resyncs++;
    });
    // A long interval: the test polls by hand.
    await feed.start(3_600_000);
    try {
      // Silent for longer than it may be; meanwhile entries are written and pruned away.
      await sleep(1100);
      await store.revokedTokens.add({ jti: 'pruned', clientId: 'c', expiresAt: LIVE });
      await store.revokedTokens.add({ jti: 'kept', clientId: 'c', expiresAt: LIVE });
      expect(await store.changes.pruneBefore(new Date(Date.now() + 60_000), 100)).toBeGreaterThan(0);
      await feed.poll();
      // Following the log on would hear `kept` and never `pruned`: its listeners reload instead.
      expect(resyncs).toBe(1);
      expect(heard).toEqual([]);
      await store.revokedTokens.add({ jti: 'next', clientId: 'c', expiresAt: LIVE });
      await feed.poll();
      expect(heard).toEqual(['next']);
      expect(resyncs).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      feed.stop();
    }
  });
});
