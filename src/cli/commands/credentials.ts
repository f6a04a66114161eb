import type { Command } from 'commander';
import { resolveAccount } from '../../services/credentials/accounts.js';
import { credentialJson, printJson, printTable } from '../present.js';
import { withStore } from '../store-session.js';
import { UsageError } from '../usage-error.js';
import { keyJson, readKeyFile, registerCredentialKeyCommands } from './credential-keys.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerCredentialCommands(program: Command): void {
  const credentials = program.command('credentials').description('create and manage API credentials');

  credentials
    .command('create')
    .description('create API credentials; the client secret is printed once and cannot be retrieved later')
    .requiredOption('--name <name>', 'a name that says what the credentials are for')
    .option('--scope <scope>', 'a scope to grant (repeat for several)', collect)
    .option('--account <id-or-name>', 'the account (needed only when there are several)')
    .option('--expires-at <date-time>', 'when the credentials stop working (ISO 8601)')
    .option(
      '--public-key <file>',
      'a public key (PEM or JWK) for private_key_jwt, or an X.509 certificate for mutual TLS, instead of a secret (repeat for several)',
      collect,
    )
    .option(
      '--require-dpop',
      'its tokens must be bound to the client’s key (DPoP); bearer requests are refused',
    )
    .option(
      '--allow-ip <cidr>',
      'an address range it may be used from (repeatable); anywhere when none',
      collect,
    )
    .option('--token-quota <n/period>', 'at most n tokens an hour or a day: 100/hour, 1000/day')
    .option(
      '--call-limit <n/window>',
      'its own API call limit, only lowering the plan’s: 600/minute, 10000/hour',
    )
    .option(
      '--metadata <key=value>',
      'a pair its tokens carry in keygate_metadata (repeatable); never secrets',
      collect,
    )
    .option('--json', 'print JSON')
    .action(
      async (options: {
        name: string;
        scope?: string[];
        account?: string;
        expiresAt?: string;
        publicKey?: string[];
        requireDpop?: boolean;
        allowIp?: string[];
        tokenQuota?: string;
        callLimit?: string;
        metadata?: string[];
        json?: boolean;
      }) => {
        await withStore(async ({ store, credentials: service }) => {
          const account = await resolveAccount(store, options.account);
          if (options.publicKey) {
            const { credential, keys } = await service.createWithKeys({
              accountId: account.id,
              name: options.name,
              scopes: options.scope ?? [],
              expiresAt: options.expiresAt ?? null,
              publicKeys: options.publicKey.map(readKeyFile),
              requireDpop: options.requireDpop ?? false,
              allowedCidrs: allowedRanges(options.allowIp) ?? [],
              tokenQuota: quotaOption(options.tokenQuota) ?? null,
              callLimit: callLimitOption(options.callLimit) ?? null,
              metadata: metadataOption(options.metadata) ?? {},
            });
            if (options.json) return printJson({ ...credentialJson(credential), keys: keys.map(keyJson) });
            process.stdout.write(
              [
                `Created API credentials "${credential.name}" (${credential.scopes.join(' ')}), without a secret.`,
                `  client ID: ${credential.clientId}`,
                ...keys.map((key) => `  key:       ${key.thumbprint} (${key.algorithms.join(', ')})`),
                'The client authenticates with assertions signed by its private key (private_key_jwt).',
                '',
              ].join('\n'),
            );
            return;
          }
          const { credential, clientSecret } = await service.create({
            accountId: account.id,
            name: options.name,
            scopes: options.scope ?? [],
            expiresAt: options.expiresAt ?? null,
            requireDpop: options.requireDpop ?? false,
            allowedCidrs: allowedRanges(options.allowIp) ?? [],
            tokenQuota: quotaOption(options.tokenQuota) ?? null,
            callLimit: callLimitOption(options.callLimit) ?? null,
            metadata: metadataOption(options.metadata) ?? {},
          });
          if (options.json) {
            printJson({ ...credentialJson(credential), client_secret: clientSecret });
            return;
          }
          process.stdout.write(
            [
              `Created API credentials "${credential.name}" (${credential.scopes.join(' ')}).`,
              `  client ID:     ${credential.clientId}`,
              `  client secret: ${clientSecret}`,
              'Copy and save the client ID and secret now: the secret cannot be retrieved later.',
              '',
            ].join('\n'),
          );
        });
      },
    );

  registerCredentialKeyCommands(credentials);

  credentials
    .command('list')
    .description('list the API credentials of an account (never their secrets)')
    .option('--account <id-or-name>', 'the account (needed only when there are several)')
    .option('--json', 'print JSON')
    .action(async (options: { account?: string; json?: boolean }) => {
      await withStore(async ({ store }) => {
        const account = await resolveAccount(store, options.account);
        const list = await store.credentials.list(account.id);
        if (options.json) return printJson(list.map(credentialJson));
        printTable(
          list.map((c) => ({
            client_id: c.clientId,
            name: c.name,
            scopes: c.scopes,
            status: c.disabled ? 'disabled' : 'enabled',
            last_used: c.lastUsedAt,
          })),
          `No API credentials in account ${account.name} yet: create some with \`keygate credentials create\`.`,
        );
      });
    });

  credentials
    .command('show <id-or-client-id>')
    .description('show one API credential')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      await withStore(async ({ credentials: service }) => {
        const credential = await service.find(id);
        if (options.json) return printJson(credentialJson(credential));
        const json = credentialJson(credential);
        for (const [key, value] of Object.entries(json)) {
          process.stdout.write(
            `${key.padEnd(14)} ${Array.isArray(value) ? value.join(' ') : String(value ?? '-')}\n`,
          );
        }
      });
    });

  credentials
    .command('update <id-or-client-id>')
    .description('rename, change scopes, disable or enable API credentials')
    .option('--name <name>', 'the new name')
    .option('--scope <scope>', 'replace the scopes with these (repeat for several)', collect)
    .option('--add-scope <scope>', 'add a scope (repeatable)', collect)
    .option('--remove-scope <scope>', 'remove a scope (repeatable)', collect)
    .option('--disable', 'stop issuing tokens to these credentials')
    .option('--enable', 'issue tokens again')
    .option('--expires-at <date-time>', 'set an expiry (ISO 8601), or "never"')
    .option('--require-dpop', 'from now on, tokens only bound to the client’s key (DPoP)')
    .option('--allow-bearer', 'from now on, bearer tokens too')
    .option(
      '--allow-ip <cidr>',
      'replace the address ranges it may be used from (repeatable); "any" clears them',
      collect,
    )
    .option('--token-quota <n/period>', 'at most n tokens an hour or a day (100/hour, 1000/day), or "none"')
    .option(
      '--call-limit <n/window>',
      'its own API call limit, only lowering the plan’s (600/minute), or "none" for the plan’s',
    )
    .option(
      '--metadata <key=value>',
      'replace the pairs its tokens carry (repeatable); "none" clears them',
      collect,
    )
    .option('--json', 'print JSON')
    .action(
      async (
        id: string,
        options: {
          name?: string;
          scope?: string[];
          addScope?: string[];
          removeScope?: string[];
          disable?: boolean;
          enable?: boolean;
          expiresAt?: string;
          requireDpop?: boolean;
          allowBearer?: boolean;
          allowIp?: string[];
          tokenQuota?: string;
          callLimit?: string;
          metadata?: string[];
          json?: boolean;
        },
      ) => {
        if (options.requireDpop && options.allowBearer)
          throw new UsageError('--require-dpop and --allow-bearer cannot be used together');
        if (options.disable && options.enable)
          throw new UsageError('--disable and --enable cannot be used together');
        await withStore(async ({ credentials: service }) => {
          const credential = await service.update(id, {
            name: options.name,
            scopes: options.scope,
            addScopes: options.addScope,
            removeScopes: options.removeScope,
            disabled: options.disable ? true : options.enable ? false : undefined,
            requireDpop: options.requireDpop ? true : options.allowBearer ? false : undefined,
            allowedCidrs: allowedRanges(options.allowIp),
            tokenQuota: quotaOption(options.tokenQuota),
            callLimit: callLimitOption(options.callLimit),
            metadata: metadataOption(options.metadata),
            expiresAt:
              options.expiresAt === undefined
                ? undefined
                : options.expiresAt === 'never'
                  ? null
                  : options.expiresAt,
          });
          if (options.json) return printJson(credentialJson(credential));
          process.stdout.write(`Updated API credentials "${credential.name}" (${credential.clientId}).\n`);
        });
      },
    );

  credentials
    .command('revoke-tokens <id-or-client-id>')
    .description('revoke every token these credentials hold now; tokens issued afterwards work')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      await withStore(async ({ credentials: service }) => {
        const credential = await service.revokeTokens(id);
        if (options.json) return printJson(credentialJson(credential));
        process.stdout.write(
          `Revoked every token of API credentials "${credential.name}" (${credential.clientId}) issued before ${credential.tokensRevokedAt}.\n`,
        );
      });
    });

  credentials
    .command('delete <id-or-client-id>')
    .description('delete API credentials; their tokens stop being accepted')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      await withStore(async ({ credentials: service }) => {
        const credential = await service.delete(id);
        if (options.json)
          return printJson({ deleted: true, id: credential.id, client_id: credential.clientId });
        process.stdout.write(`Deleted API credentials "${credential.name}" (${credential.clientId}).\n`);
      });
    });
}

/** `--allow-ip` values: the ranges, or none for `any` (anywhere); undefined when not given. */
function allowedRanges(values: string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  if (values.includes('any')) {
    if (values.length > 1) throw new UsageError('--allow-ip any cannot be combined with ranges');
    return [];
  }
  return values;
}

/** `--token-quota 100/hour`: the quota; `none`: no quota; undefined when not given. */
function quotaOption(value: string | undefined): { limit: number; period: string } | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  const match = /^(\d+)\/(hour|day)$/.exec(value);
  if (!match) throw new UsageError('--token-quota must be n/hour or n/day (100/hour), or none');
  return { limit: Number(match[1]), period: match[2]! };
}

/** `--metadata team=payments`: the pairs; `none`: no pairs; undefined when not given. */
function metadataOption(values: string[] | undefined): Record<string, string> | undefined {
  if (values === undefined) return undefined;
  if (values.length === 1 && values[0] === 'none') return {};
  const pairs: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    if (at < 1) throw new UsageError('--metadata takes key=value (team=payments), or none');
    pairs[value.slice(0, at)] = value.slice(at + 1);
  }
  return pairs;
}

const WINDOW_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86_400 };

/** `--call-limit 600/minute`: the limit; `none`: the plan's; undefined when not given. */
function callLimitOption(
  value: string | undefined,
): { limit: number; windowSeconds: number } | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  const match = /^(\d+)\/(second|minute|hour|day)$/.exec(value);
  if (!match)
    throw new UsageError('--call-limit must be n/second, n/minute, n/hour or n/day (600/minute), or none');
  return { limit: Number(match[1]), windowSeconds: WINDOW_SECONDS[match[2]!]! };
}
