/** What every contestant of the token benchmark serves: the same client, scope, claims and algorithm. */
export const BENCH_CLIENT_ID = 'bench-client';
export const BENCH_SCOPE = 'agents-availability:read';
export const BENCH_AUDIENCE = 'http://127.0.0.1:8081';
export const TOKEN_LIFETIME = 7200;
