import { decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { distIsCurrent } from '../../scripts/dist-stamp.mjs';
import { GuideShell } from '../helpers/guide-shell.js';
import { type NpmStarted, npmStart, stopWithSigterm } from '../helpers/npm-start.js';
import { readmeCommands } from '../helpers/readme.js';

/**
 * Retries `check` until it passes: the server sees the CLI's changes soon after, not at once. The
 * README promises a second; the 15 s here only turn a change that never arrives into its last error.
 */
async function eventually(check: () => Promise<void>): Promise<void> {
  const giveUpAt = Date.now() + 15_000;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * The README's five-minute quickstart, every command as written, against `npm start`: only the
 * ports are changed, to free ones, and CLIENT_ID, CLIENT_SECRET and TOKEN filled in from what the
 * earlier steps printed. What each comment promises is checked after its command.
 */
describe('README: five-minute quickstart', () => {
  const commands = readmeCommands('## Five-minute quickstart');

  beforeAll(() => {
    // Building here would rewrite dist under the tests running beside this one.
    expect(distIsCurrent(), 'dist is older than a source: run `npm run build` first').toBe(true);
  });

  it('has the steps the test follows', () => {
    expect(commands.slice(0, 9).map((c) => c.split(' ').slice(0, 4).join(' '))).toEqual([
      'npx keygate credentials create',
      'curl -s -X POST',
      'curl -s -u CLIENT_ID:CLIENT_SECRET',
      'TOKEN=…',
      "curl -s 'http://127.0.0.1:8081/agents-availability?skillNames=Sales' -H",
      'npx keygate explain --token',
      'KEYGATE_CLIENT_ID=CLIENT_ID KEYGATE_CLIENT_SECRET=CLIENT_SECRET npx keygate',
      'curl -s http://127.0.0.1:8080/Auth/.well-known/openid-configuration',
      'curl -s http://127.0.0.1:8080/.well-known/jwks.json',
    ]);
    expect(commands.slice(9)).toEqual([
      'npx keygate credentials list',
      'npx keygate credentials update CLIENT_ID --add-scope users:read',
      'npx keygate credentials update CLIENT_ID --disable',
      'npx keygate credentials update CLIENT_ID --enable',
      'npx keygate credentials revoke-tokens CLIENT_ID',
      'npx keygate keys rotate',
      'npx keygate credentials delete CLIENT_ID',
    ]);
  });

  it('runs as written, and each step does what its comment says', async () => {
    const [
      create,
      tokenWithPost,
      tokenWithBasic,
      setToken,
      callGateway,
      explain,
      sdkCall,
      metadata,
      jwks,
      list,
      addScope,
      disable,
      enable,
      revokeTokens,
      rotate,
      remove,
    ] = commands as [string, ...string[]];
    const server: NpmStarted = await npmStart();
    const shell = new GuideShell(server.env, [
      ['127.0.0.1:8080', `127.0.0.1:${server.port}`],
      ['127.0.0.1:8081', `127.0.0.1:${server.gatewayPort}`],
    ]);
    const json = async (command: string, env: NodeJS.ProcessEnv = {}) =>
      JSON.parse(await shell.output(command, env)) as Record<string, unknown>;
    const newToken = async () => {
      const issued = await json(tokenWithPost!);
      expect(issued).toMatchObject({ token_type: 'Bearer', scope: 'agents-availability:read' });
      return issued.access_token as string;
    };
    const gatewayStatus = async (token: string) =>
      Number(await shell.output(`${callGateway} -o /dev/null -w '%{http_code}'`, { TOKEN: token }));

    // 1–2: credentials, and tokens for them with the secret in the form or in Basic.
    const created = await json(create!);
    expect(created).toMatchObject({ name: 'Wallboard', scopes: ['agents-availability:read', 'stats'] });
    shell.fill('CLIENT_ID', created.client_id as string);
    shell.fill('CLIENT_SECRET', created.client_secret as string);
    let token = await newToken();
    expect(await json(tokenWithBasic!)).toMatchObject({ token_type: 'Bearer', scope: 'stats' });

    // 3: the gateway, explain and the SDK's CLI.
    shell.fill('…', token);
    expect(await shell.run(setToken!)).toMatchObject({ code: 0 });
    const answer = await json(callGateway!, { TOKEN: token });
    expect(Object.keys(answer)).toEqual(['Ready', 'Away', 'Extended Away', 'Logged Out']);
    const explained = await shell.run(explain!, { TOKEN: token });
    expect(explained.code).toBe(3);
    expect(explained.stdout + explained.stderr).toContain('stats');
    expect(Object.keys(await json(sdkCall!))).toEqual(Object.keys(answer));

    // 4: the published metadata and keys.
    // The issuer is VCC's /Auth (ADR 0007), the one the well-known URL was formed from.
    expect(await json(metadata!)).toMatchObject({ issuer: `http://127.0.0.1:${server.port}/Auth` });
    expect((await json(jwks!)).keys).toEqual(
      expect.arrayContaining([expect.objectContaining({ kty: 'EC' })]),
    );

    // 5: every change reaches the running server.
    expect(await shell.output(list!)).toContain(created.client_id as string);
    await shell.output(addScope!);
    await eventually(async () => {
      expect(await json(tokenWithBasic!.replace('scope=stats', 'scope=users%3Aread'))).toMatchObject({
        scope: 'users:read',
      });
    });

    await shell.output(disable!);
    await eventually(async () => {
      expect(await json(tokenWithPost!)).toMatchObject({ error: 'unauthorized_client' });
      expect(await gatewayStatus(token)).toBe(401);
    });

    await shell.output(enable!);
    await eventually(async () => {
      expect(await json(tokenWithPost!)).toMatchObject({ token_type: 'Bearer' });
      expect(await gatewayStatus(token)).toBe(200);
    });

    await shell.output(revokeTokens!);
    await eventually(async () => expect(await gatewayStatus(token)).toBe(401));
    token = await newToken();
    expect(await gatewayStatus(token)).toBe(200);

    const signedBefore = decodeProtectedHeader(token).kid;
    await shell.output(rotate!);
    await eventually(async () => expect(decodeProtectedHeader(await newToken()).kid).not.toBe(signedBefore));
    expect(await gatewayStatus(token)).toBe(200);

    await shell.output(remove!);
    await eventually(async () => {
      expect(await json(tokenWithPost!)).toMatchObject({ error: 'invalid_client' });
      expect(await gatewayStatus(token)).toBe(401);
    });

    await stopWithSigterm(server.npm, server.port);
  }, 240_000);
});
