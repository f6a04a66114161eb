import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/open-store.js';
import { storeContract } from './contract.js';

storeContract('SQLite', async () =>
  openSqliteStore(join(mkdtempSync(join(tmpdir(), 'keygate-store-')), 'keygate.sqlite')),
);
