/**
 * The caller commands, `token` and `call`: the `keygate-client` bin runs them, and so does the
 * server's `keygate token` / `keygate call`, which only supplies its configured Keygate as the
 * default issuer and gateway. node:util's parseArgs, so that the package needs no CLI library.
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createApiClient } from './api-client.js';
import { ApiError, KeygateClientError } from './errors.js';
import { createTokenProvider, type TokenProvider } from './token-provider.js';

export type CallerCommand = 'token' | 'call';

/** Each command's arguments and description, as a command list shows them. */
export const CALLER_COMMANDS: Record<CallerCommand, { usage: string; description: string }> = {
  token: {
    usage: '[options]',
    description: 'get a bearer access token for API credentials and print it',
  },
  call: {
    usage: '[options] <method> <path>',
    description: 'call an API through the gateway and print its JSON answer',
  },
};

/** Where a command goes when neither `--region` nor `--issuer` (or `--api-base-url`) says. */
export interface CallerDefaults {
  /** Called only when needed, so that a command naming its server never reads a configuration. */
  issuer?: () => string;
  apiBaseUrl?: () => string;
  /** How the defaults are described in the help, e.g. `the configured Keygate`. */
  describedAs?: string;
}

/**
 * The exit codes, as the server's CLI has them: 1 the arguments do not parse, 2 they do but do not
 * go together (no credentials, --data not JSON, no server), 3 the server refused or was not reached.
 */
const EXIT = { ok: 0, badArguments: 1, usage: 2, refused: 3 } as const;

class ArgumentsError extends Error {}
class UsageError extends Error {}

const CALLER_OPTIONS = {
  scope: { type: 'string', multiple: true },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'private-key': { type: 'string' },
  dpop: { type: 'boolean' },
  'dpop-key': { type: 'string' },
  region: { type: 'string' },
  issuer: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const OPTIONS = {
  token: { ...CALLER_OPTIONS, json: { type: 'boolean' } },
  call: {
    ...CALLER_OPTIONS,
    'api-base-url': { type: 'string' },
    'api-version': { type: 'string' },
    data: { type: 'string' },
  },
} as const;

function help(command: CallerCommand, program: string, defaults: CallerDefaults): string {
  const configured = defaults.describedAs ? ` (default: ${defaults.describedAs})` : '';
  const lines = [
    `Usage: ${program} ${command} ${CALLER_COMMANDS[command].usage}`,
    '',
    CALLER_COMMANDS[command].description,
    '',
    'Options:',
    '  --scope <scope>           a scope to ask for (repeatable; required)',
    '  --client-id <id>          client ID (default: $KEYGATE_CLIENT_ID)',
    '  --client-secret <secret>  client secret (default: $KEYGATE_CLIENT_SECRET; prefer the variable)',
    '  --private-key <file>      sign a private_key_jwt assertion with this key (PEM) instead of a secret',
    '  --dpop                    bind the token to a key made for this command (DPoP); `call` sends a proof',
    '  --dpop-key <file>         bind the token to this key (PEM) instead (DPoP)',
    '  --region <region>         a real VCC region: emea, nam or apac',
    `  --issuer <url>            a Keygate (or other RFC 8414 server) by its issuer URL${configured}`,
    ...(command === 'token'
      ? ['  --json                    print the whole token response as JSON']
      : [
          `  --api-base-url <url>      the gateway${defaults.describedAs ? ` (default: ${defaults.describedAs}’s gateway, or the region’s API host)` : ' (default: the region’s API host)'}`,
          '  --api-version <n>         API version, sent as Accept: application/vnd.newvoicemedia.v{n}+json',
          '  --data <json>             a JSON request body',
        ]),
    '  -h, --help                display help for command',
  ];
  return `${lines.join('\n')}\n`;
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the key file ${path}: ${(error as Error).message}`);
  }
}

/** What parseArgs gives for either command's options (`--scope` checked present by then). */
interface Values {
  scope: string[];
  'client-id'?: string;
  'client-secret'?: string;
  'private-key'?: string;
  dpop?: boolean;
  'dpop-key'?: string;
  region?: string;
  issuer?: string;
  help?: boolean;
  json?: boolean;
  'api-base-url'?: string;
  'api-version'?: string;
  data?: string;
}

function tokenProvider(values: Values, defaults: CallerDefaults): TokenProvider {
  const clientId = values['client-id'] ?? process.env.KEYGATE_CLIENT_ID;
  const clientSecret = values['client-secret'] ?? process.env.KEYGATE_CLIENT_SECRET;
  const privateKeyFile = values['private-key'];
  const privateKey = privateKeyFile === undefined ? undefined : readKeyFile(privateKeyFile);
  if (!clientId || (!clientSecret && !privateKey)) {
    throw new UsageError(
      'give the client ID and secret (KEYGATE_CLIENT_ID and KEYGATE_CLIENT_SECRET, or --client-id and --client-secret), or --client-id and --private-key',
    );
  }
  const dpopKeyFile = values['dpop-key'];
  const dpop = dpopKeyFile === undefined ? values.dpop === true : readKeyFile(dpopKeyFile);
  let server: { region: string } | { issuer: string };
  if (values.region) server = { region: values.region };
  else if (values.issuer) server = { issuer: values.issuer };
  else if (defaults.issuer) server = { issuer: defaults.issuer() };
  else
    throw new UsageError('give the server: --issuer <url> (a Keygate) or --region <region> (the real VCC)');
  return createTokenProvider({
    clientId,
    ...(privateKey ? { privateKey } : { clientSecret }),
    dpop,
    scope: values.scope,
    ...server,
    retry: { retries: 2 },
  });
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

async function token(values: Values, defaults: CallerDefaults): Promise<void> {
  const accessToken = await tokenProvider(values, defaults).getAccessToken();
  if (values.json) {
    printJson({
      access_token: accessToken.accessToken,
      token_type: accessToken.tokenType,
      scope: accessToken.scope,
      expires_at: new Date(accessToken.expiresAt).toISOString(),
    });
  } else {
    process.stdout.write(`${accessToken.accessToken}\n`);
  }
}

async function call([method, path]: string[], values: Values, defaults: CallerDefaults): Promise<void> {
  const tokens = tokenProvider(values, defaults);
  const apiBaseUrl = values['api-base-url'] ?? defaults.apiBaseUrl?.();
  let base: { region: string } | { apiBaseUrl: string };
  if (values.region) base = { region: values.region };
  else if (apiBaseUrl) base = { apiBaseUrl };
  else throw new UsageError('give the gateway: --api-base-url <url> (a Keygate) or --region <region>');
  const api = createApiClient({ tokens, ...base });
  const version = values['api-version'];
  const response = await api.request(method!.toUpperCase(), path!, {
    ...(version === undefined ? {} : { version: Number(version) }),
    ...(values.data === undefined ? {} : { body: JSON.parse(values.data) }),
  });
  if (typeof response.data === 'string') process.stdout.write(`${response.data}\n`);
  else if (response.data !== undefined) printJson(response.data);
}

function parse(command: CallerCommand, args: string[]): { values: Values; positionals: string[] } {
  let parsed: { values: Partial<Values>; positionals: string[] };
  try {
    // The two commands' options differ, so parseArgs types each command's values apart: one shape here.
    parsed = parseArgs({ args, options: OPTIONS[command], allowPositionals: true, strict: true }) as {
      values: Partial<Values>;
      positionals: string[];
    };
  } catch (error) {
    throw new ArgumentsError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { values: { ...values, scope: values.scope ?? [] }, positionals };
  const wanted = command === 'call' ? ['method', 'path'] : [];
  if (positionals.length < wanted.length)
    throw new ArgumentsError(`missing required argument '${wanted[positionals.length]}'`);
  if (positionals.length > wanted.length)
    throw new ArgumentsError(
      `too many arguments for '${command}': ${positionals.slice(wanted.length).join(' ')}`,
    );
  if (values.scope === undefined) throw new ArgumentsError("required option '--scope <scope>' not specified");
  if (values.data !== undefined) {
    try {
      JSON.parse(values.data);
    } catch {
      throw new UsageError('--data must be JSON');
    }
  }
  return { values: { ...values, scope: values.scope }, positionals };
}

/**
 * Runs `token` or `call` with the arguments after the command's name and resolves to the exit code,
 * having printed the answer on stdout or one `error:` line on stderr. Errors it has no code for (a
 * key file that cannot be read, a default that could not be worked out) are thrown, for the caller
 * to report as its other errors.
 */
export async function runCallerCommand(
  command: CallerCommand,
  args: string[],
  defaults: CallerDefaults = {},
  program = 'keygate-client',
): Promise<number> {
  try {
    const { values, positionals } = parse(command, args);
    if (values.help) {
      process.stdout.write(help(command, program, defaults));
      return EXIT.ok;
    }
    if (command === 'token') await token(values, defaults);
    else await call(positionals, values, defaults);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ArgumentsError) {
      process.stderr.write(`error: ${error.message}\n${help(command, program, defaults)}`);
      return EXIT.badArguments;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof ApiError) {
      process.stderr.write(`error: ${error.message}\n`);
      if (error.body !== undefined)
        process.stderr.write(`${typeof error.body === 'string' ? error.body : JSON.stringify(error.body)}\n`);
      return EXIT.refused;
    }
    // A TypeError is fetch's failure to reach the server, or the SDK refusing a region or a key.
    if (error instanceof KeygateClientError || error instanceof TypeError) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT.refused;
    }
    throw error;
  }
}

/** The `keygate-client` bin: `keygate-client token|call …`. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'token' || command === 'call') {
    try {
      return await runCallerCommand(command, args);
    } catch (error) {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
  }
  const list = Object.entries(CALLER_COMMANDS).map(
    ([name, { usage, description }]) => `  ${`${name} ${usage}`.padEnd(32)}${description}`,
  );
  const text = `Usage: keygate-client <command> [options]\n\nCommands:\n${list.join('\n')}\n\nkeygate-client <command> --help says more.\n`;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(text);
    return 0;
  }
  process.stderr.write(`error: unknown command '${command}'\n${text}`);
  return 1;
}
