import { execFileSync } from 'node:child_process';

/**
 * Creates an `agents-availability:read` credential with the CLI of `bin` (run by `node`) on the
 * store of `env`, and returns a token minter for it at the token service of `origin`: the benches'
 * one way to get the tokens their gateways check.
 */
export function benchTokens(bin: string, env: NodeJS.ProcessEnv, origin: string, node = process.execPath) {
  const created = JSON.parse(
    execFileSync(
      node,
      [bin, 'credentials', 'create', '--name', 'bench', '--scope', 'agents-availability:read', '--json'],
      { env, encoding: 'utf8' },
    ),
  ) as { client_id: string; client_secret: string };
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: created.client_id,
    client_secret: created.client_secret,
    scope: 'agents-availability:read',
  }).toString();
  /** A token; with `headers` (a DPoP proof, say) as the token request carries them. */
  const mint = async (headers: Record<string, string> = {}): Promise<string> => {
    const response = await fetch(`${origin}/Auth/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    const json = (await response.json()) as { access_token?: string };
    if (!json.access_token) throw new Error(`${origin} issued no token: ${JSON.stringify(json)}`);
    return json.access_token;
  };
  /** `count` distinct tokens, 100 asked at a time. */
  const mintMany = async (count: number): Promise<string[]> => {
    const tokens: string[] = [];
    while (tokens.length < count)
      tokens.push(...(await Promise.all(Array.from({ length: 100 }, () => mint()))));
    return tokens.slice(0, count);
  };
  /** The token request's form, for a bench that asks for tokens itself. */
  return { mint, mintMany, form: body };
}
