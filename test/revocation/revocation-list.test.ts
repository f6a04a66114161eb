import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RevocationList } from '../../src/services/verification/revocation-list.js';
import { openSqliteStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

describe('the gateway revocation list stays bounded', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-revocations-'));
    store = openSqliteStore(join(dir, 'keygate.sqlite'));
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('learns the expiry of revocations named by the change log, and forgets them once expired', async () => {
    const list = new RevocationList(store);
    await list.load();
    const soon = new Date(Date.now() + 60_000);
    await store.revokedTokens.add({ jti: 'live', clientId: 'c', expiresAt: soon.toISOString() });
    await store.revokedTokens.add({
      jti: 'gone',
      clientId: 'c',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    // As the change feed does: the jti only, expiry unknown.
    list.add('live');
    list.add('gone');
    list.add('pruned-from-store');
    await list.refresh();
    expect(list.has('live')).toBe(true);
    expect(list.has('gone')).toBe(false);
    expect(list.has('pruned-from-store')).toBe(false);
    expect(list.size).toBe(1);
    // And the learned expiry applies.
    await list.refresh(new Date(soon.getTime() + 1));
    expect(list.has('live')).toBe(false);
  });

  it('follows the store: drops revocations the store no longer holds, whatever expiry it knew', async () => {
    const list = new RevocationList(store);
    const live = Date.now() + 3_600_000;
    await store.revokedTokens.add({ jti: 'kept', clientId: 'c', expiresAt: new Date(live).toISOString() });
    // As the revocation endpoint does: the row, then the entry with its known expiry.
    list.add('kept', live);
    list.add('covered', live);
    list.add('expired', Date.now() - 1);
    await list.refresh();
    expect(list.has('kept')).toBe(true);
    // Its row went with a credential-wide revocation, which refuses the token itself.
    expect(list.has('covered')).toBe(false);
    expect(list.has('expired')).toBe(false);
    expect(list.size).toBe(1);
  });
});
