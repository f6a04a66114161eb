/**
 * Seeds a new PostgreSQL schema (created here, before the server starts on it) for bench/scale: `real`
 * credentials made through the service (their secrets printed as JSON), plus filler rows inserted by
 * SQL so the table holds `total` credentials.
 */
import pg from 'pg';
import { withStore } from '../../src/cli/store-session.js';

const [total, real] = [Number(process.argv[2]), Number(process.argv[3] ?? 200)];
const { config, accountId, clients } = await withStore(
  async ({ config, store, credentials }) => {
    const account = (await store.accounts.list())[0]!;
    const made: Array<{ client_id: string; client_secret: string }> = [];
    for (let i = 0; i < real; i++) {
      const { credential, clientSecret } = await credentials.create({
        accountId: account.id,
        name: `real ${i}`,
        scopes: ['stats'],
      });
      made.push({ client_id: credential.clientId, client_secret: clientSecret });
    }
    return { config, accountId: account.id, clients: made };
  },
  { create: true },
);

const client = new pg.Client({ connectionString: config.databaseUrl });
await client.connect();
await client.query(`set search_path = ${config.databaseSchema}`);
const filler = total - real;
for (let done = 0; done < filler; done += 100_000) {
  const n = Math.min(100_000, filler - done);
  await client.query(
    `insert into credentials (id, account_id, client_id, name, scopes, owner_user_id, disabled, expires_at, created_at, updated_at, last_used_at)
     select md5('id' || g || $2), $1, substr(md5('c' || g || $2), 1, 22), 'filler ' || g, '["stats"]', null, 0, null, now()::text, now()::text, null
     from generate_series(1, $3) g`,
    [accountId, String(done), n],
  );
}
await client.query('analyze credentials');
await client.end();
process.stdout.write(JSON.stringify(clients));
