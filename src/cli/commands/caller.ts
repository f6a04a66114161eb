import {
  ApiError,
  createApiClient,
  createTokenProvider,
  KeygateClientError,
  type TokenProvider,
} from '@keygate/client';
import type { Command } from 'commander';
import { cliConfig } from '../cli-config.js';
import { printJson } from '../present.js';
import { UsageError } from '../usage-error.js';
import { readKeyFile } from './credential-keys.js';

interface CallerOptions {
  scope: string[];
  clientId?: string;
  clientSecret?: string;
  privateKey?: string;
  dpop?: boolean;
  dpopKey?: string;
  region?: string;
  issuer?: string;
  apiBaseUrl?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function withCallerOptions(command: Command): Command {
  return command
    .requiredOption('--scope <scope>', 'a scope to ask for (repeatable)', collect)
    .option('--client-id <id>', 'client ID (default: $KEYGATE_CLIENT_ID)')
    .option(
      '--client-secret <secret>',
      'client secret (default: $KEYGATE_CLIENT_SECRET; prefer the variable)',
    )
    .option(
      '--private-key <file>',
      'sign a private_key_jwt assertion with this key (PEM) instead of a secret',
    )
    .option('--dpop', 'bind the token to a key made for this command (DPoP); `call` sends a proof')
    .option('--dpop-key <file>', 'bind the token to this key (PEM) instead (DPoP)')
    .option('--region <region>', 'a real VCC region: emea, nam or apac')
    .option(
      '--issuer <url>',
      'a Keygate (or other RFC 8414 server) by its issuer URL (default: the configured Keygate)',
    );
}

function tokenProvider(options: CallerOptions): TokenProvider {
  const clientId = options.clientId ?? process.env.KEYGATE_CLIENT_ID;
  const clientSecret = options.clientSecret ?? process.env.KEYGATE_CLIENT_SECRET;
  const privateKey = options.privateKey === undefined ? undefined : readKeyFile(options.privateKey);
  if (!clientId || (!clientSecret && !privateKey)) {
    throw new UsageError(
      'give the client ID and secret (KEYGATE_CLIENT_ID and KEYGATE_CLIENT_SECRET, or --client-id and --client-secret), or --client-id and --private-key',
    );
  }
  const dpop = options.dpopKey === undefined ? options.dpop === true : readKeyFile(options.dpopKey);
  const server = options.region
    ? { region: options.region }
    : { issuer: options.issuer ?? cliConfig().publicUrl };
  return createTokenProvider({
    clientId,
    ...(privateKey ? { privateKey } : { clientSecret }),
    dpop,
    scope: options.scope,
    ...server,
    retry: { retries: 2 },
  });
}

/** Client errors print the server's code and description on one line. */
async function reportingClientErrors(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof ApiError) {
      process.stderr.write(`error: ${error.message}\n`);
      if (error.body !== undefined)
        process.stderr.write(`${typeof error.body === 'string' ? error.body : JSON.stringify(error.body)}\n`);
      process.exitCode = 3;
      return;
    }
    if (error instanceof KeygateClientError || error instanceof TypeError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 3;
      return;
    }
    throw error;
  }
}

export function registerCallerCommands(program: Command): void {
  withCallerOptions(
    program.command('token').description('get a bearer access token for API credentials and print it'),
  )
    .option('--json', 'print the whole token response as JSON')
    .action(async (options: CallerOptions) => {
      await reportingClientErrors(async () => {
        const token = await tokenProvider(options).getAccessToken();
        if (options.json) {
          printJson({
            access_token: token.accessToken,
            token_type: token.tokenType,
            scope: token.scope,
            expires_at: new Date(token.expiresAt).toISOString(),
          });
        } else {
          process.stdout.write(`${token.accessToken}\n`);
        }
      });
    });

  withCallerOptions(
    program
      .command('call <method> <path>')
      .description('call an API through the gateway and print its JSON answer'),
  )
    .option(
      '--api-base-url <url>',
      'the gateway (default: the configured Keygate gateway, or the region’s API host)',
    )
    .option(
      '--api-version <n>',
      'API version, sent as Accept: application/vnd.newvoicemedia.v{n}+json',
      (v) => Number(v),
    )
    .option('--data <json>', 'a JSON request body')
    .action(
      async (
        method: string,
        path: string,
        options: CallerOptions & { apiVersion?: number; data?: string },
      ) => {
        let body: unknown;
        if (options.data !== undefined) {
          try {
            body = JSON.parse(options.data);
          } catch {
            throw new UsageError('--data must be JSON');
          }
        }
        await reportingClientErrors(async () => {
          const tokens = tokenProvider(options);
          const base = options.region
            ? { region: options.region }
            : { apiBaseUrl: options.apiBaseUrl ?? cliConfig().audience };
          const api = createApiClient({ tokens, ...base });
          const response = await api.request(method.toUpperCase(), path, {
            ...(options.apiVersion === undefined ? {} : { version: options.apiVersion }),
            ...(body === undefined ? {} : { body }),
          });
          if (typeof response.data === 'string') process.stdout.write(`${response.data}\n`);
          else if (response.data !== undefined) printJson(response.data);
        });
      },
    );
}
