/**
 * The floor: a bare Fastify route that parses the form and signs the same RFC 9068 JWT, with no
 * client authentication, no store and no checks. Keygate cannot be faster than this.
 * argv: port, signer — `keygate` (the signer Keygate uses, src/crypto/compact-jws.ts) or `jose`.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import formBody from '@fastify/formbody';
import Fastify from 'fastify';
import { SignJWT } from 'jose';
import { signCompactJws } from '../../src/crypto/compact-jws.js';
import { BENCH_AUDIENCE, TOKEN_LIFETIME } from './shared.js';

const port = Number(process.argv[2] ?? 0);
const signer = process.argv[3] === 'jose' ? 'jose' : 'keygate';
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const app = Fastify();
await app.register(formBody);
app.post('/token', async (request) => {
  const body = request.body as Record<string, string>;
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: `http://127.0.0.1:${port}`,
    aud: BENCH_AUDIENCE,
    sub: body.client_id,
    client_id: body.client_id,
    scope: body.scope,
    iat: now,
    exp: now + TOKEN_LIFETIME,
    jti: randomUUID(),
    account_id: 'bench-account',
    region: 'emea',
  };
  const header = { alg: 'ES256', typ: 'at+jwt', kid: 'floor' };
  const accessToken =
    signer === 'jose'
      ? await new SignJWT(claims).setProtectedHeader(header).sign(privateKey)
      : signCompactJws(header, claims, privateKey);
  return { access_token: accessToken, expires_in: TOKEN_LIFETIME, token_type: 'Bearer', scope: body.scope };
});
// For a starter that can only poll (bench/instructions, under callgrind, has no IPC channel).
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ port, host: '127.0.0.1' });
process.send?.('ready');
