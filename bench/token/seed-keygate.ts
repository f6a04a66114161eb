/**
 * Fills a new Keygate data folder (created here, before the server starts on it) with N credentials
 * and prints one client's ID and secret as JSON.
 */
import { withStore } from '../../src/cli/store-session.js';
import { BENCH_SCOPE } from './shared.js';

const count = Number(process.argv[2] ?? 10);
const chosen = await withStore(
  async ({ store, credentials }) => {
    const account = (await store.accounts.list())[0]!;
    let picked: { client_id: string; client_secret: string } | undefined;
    for (let i = 0; i < count; i++) {
      const { credential, clientSecret } = await credentials.create({
        accountId: account.id,
        name: `bench ${i}`,
        scopes: [BENCH_SCOPE, 'stats'],
      });
      if (i === Math.floor(count / 2))
        picked = { client_id: credential.clientId, client_secret: clientSecret };
    }
    return picked;
  },
  { create: true },
);
process.stdout.write(JSON.stringify(chosen));
