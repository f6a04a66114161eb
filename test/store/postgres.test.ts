import { describe, it } from 'vitest';
import { openPostgresStore } from '../../src/store/open-store.js';
import { dropSchema, SKIP_MESSAGE, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.js';
import { storeContract } from './contract.js';

const url = TEST_DATABASE_URL;

if (url) {
  // Each test gets a schema of its own, dropped when its store closes.
  storeContract('PostgreSQL', async () => {
    const schema = uniqueSchema();
    const store = openPostgresStore(url, { schema });
    const close = store.close.bind(store);
    store.close = async () => {
      await close();
      await dropSchema(url, schema);
    };
    return store;
  });
} else {
  process.stdout.write(`PostgreSQL store contract ${SKIP_MESSAGE}\n`);
  describe('store contract: PostgreSQL', () => {
    it.skip(SKIP_MESSAGE, () => {});
  });
}
