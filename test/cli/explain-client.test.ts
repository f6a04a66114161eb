import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestToken, startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

const BIN = fileURLToPath(new URL('../../bin/keygate.js', import.meta.url));

/** `keygate explain --client`: why a client's token requests were refused, and what to fix. */
describe('keygate explain --client', () => {
  let keygate: TestKeygate;
  beforeAll(async () => {
    keygate = await startTestKeygate();
  });
  afterAll(() => keygate?.stop());

  const explain = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, 'explain', ...args],
        { env: { PATH: process.env.PATH, KEYGATE_DATA_DIR: keygate.dataDir } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('lists each refused authentication with its reason and what to fix; the caller learned only invalid_client', async () => {
    const client = await keygate.createCredential(['stats'], 'Reporting');
    const other = await keygate.createCredential(['stats'], 'Other');
    expect((await explain('--client', client.clientId)).stdout).toMatch(/^No refused authentication of /);

    const wrong = await requestToken(
      keygate,
      { clientId: client.clientId, clientSecret: other.clientSecret },
      'stats',
    );
    const malformed = await requestToken(
      keygate,
      { clientId: client.clientId, clientSecret: 'not-a-secret' },
      'stats',
    );
    for (const answer of [wrong, malformed]) expect(answer.body).toMatchObject({ error: 'invalid_client' });

    // The refusals are recorded after the answers; each look is a CLI process, which takes about a
    // second to start on a loaded machine, longer than poll's default of one second in all.
    await expect
      .poll(async () => JSON.parse((await explain('--client', client.clientId, '--json')).stdout).length, {
        timeout: 15_000,
        interval: 100,
      })
      .toBe(2);
    const text = (await explain('--client', client.clientId)).stdout;
    expect(text).toContain(`Refused authentications of ${client.clientId} (Reporting), newest first:`);
    expect(text).toMatch(/client_secret_post {2}malformed_secret: the secret is not a Keygate secret/);
    expect(text).toMatch(/client_secret_post {2}wrong_secret: the secret is none of the credential’s/);
    expect(text.indexOf('malformed_secret')).toBeLessThan(text.indexOf('wrong_secret'));
  });

  it('wants --token and --path, or --client', async () => {
    const answer = await explain('--path', '/stats/interactions');
    expect(answer.code).not.toBe(0);
    expect(answer.stderr).toBe('error: give --token and --path, or --client\n');
  });
});
