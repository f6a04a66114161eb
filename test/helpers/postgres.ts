import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL the production-mode tests use; undefined outside CI unless the variable is set. */
export const TEST_DATABASE_URL = process.env.KEYGATE_TEST_DATABASE_URL;

export const SKIP_MESSAGE =
  'skipped: set KEYGATE_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run it; CI does';

export function uniqueSchema(): string {
  return `kg_test_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}
