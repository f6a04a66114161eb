import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postForm, startTestKeygate, type TestKeygate, TOKEN_PATH } from '../helpers/keygate.js';

/**
 * Failed client authentications are counted per network, as portal logins are: an IPv6 host is
 * usually given a whole /64, so hopping addresses inside it buys no fresh guesses (nor fresh
 * audit entries). The addresses come from the trusted proxy's X-Forwarded-For.
 */
describe('failed client authentications per network', () => {
  let keygate: TestKeygate;
  let clientId: string;

  beforeAll(async () => {
    keygate = await startTestKeygate({
      trustProxy: '127.0.0.1',
      authFailureLimit: { perClient: 3, perAddress: 100, windowSeconds: 60 },
    });
    clientId = (await keygate.createCredential(['stats'])).clientId;
  });
  afterAll(() => keygate?.stop());

  const guess = (from: string) =>
    postForm(
      keygate.url + TOKEN_PATH,
      { grant_type: 'client_credentials', client_id: clientId, client_secret: 'kgs_wrong', scope: 'stats' },
      { 'x-forwarded-for': from },
    );

  it('counts the addresses of one IPv6 /64 as one guesser, and another /64 apart', async () => {
    expect((await guess('2001:db8:0:1::a')).status).toBe(401);
    expect((await guess('2001:db8:0:1::b')).status).toBe(401);
    expect((await guess('2001:db8:0:1:ffff::c')).status).toBe(401);
    expect((await guess('2001:db8:0:1::d')).status).toBe(429);
    expect((await guess('2001:db8:0:2::a')).status).toBe(401);
  });
});
