import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CredentialKey } from '../../core/model.js';
import { printJson, printTable } from '../present.js';
import { withStore } from '../store-session.js';

/** A key file's text, PEM or JWK; the service says what is wrong with one it cannot read. */
export function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the public key file ${path}: ${(error as Error).message}`);
  }
}

export function keyJson(key: CredentialKey) {
  return {
    id: key.id,
    thumbprint: key.thumbprint,
    algorithms: key.algorithms,
    jwk: key.jwk,
    created_at: key.createdAt,
    last_used_at: key.lastUsedAt,
  };
}

/** `keygate credentials keys|add-key|remove-key`: the public keys of private_key_jwt credentials. */
export function registerCredentialKeyCommands(credentials: Command): void {
  credentials
    .command('keys <id-or-client-id>')
    .description('list the public keys a credential authenticates with (private_key_jwt)')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      await withStore(async ({ credentials: service }) => {
        const keys = await service.listKeys(id);
        if (options.json) return printJson(keys.map(keyJson));
        printTable(
          keys.map((key) => ({
            thumbprint: key.thumbprint,
            algorithms: key.algorithms,
            added: key.createdAt,
            'last used': key.lastUsedAt ?? 'never',
          })),
          'This credential has no public keys: add one with `keygate credentials add-key`.',
        );
      });
    });

  credentials
    .command('add-key <id-or-client-id>')
    .description('add a public key (PEM or JWK); assertions it signs authenticate the client from now on')
    .requiredOption(
      '--public-key <file>',
      'the public key file: PEM, JWK, or an X.509 certificate (mutual TLS)',
    )
    .option('--json', 'print JSON')
    .action(async (id: string, options: { publicKey: string; json?: boolean }) => {
      await withStore(async ({ credentials: service }) => {
        const key = await service.addKey(id, readKeyFile(options.publicKey));
        if (options.json) return printJson(keyJson(key));
        process.stdout.write(`Added key ${key.thumbprint} (${key.algorithms.join(', ')}).\n`);
      });
    });

  credentials
    .command('remove-key <id-or-client-id> <key>')
    .description('remove a public key, named by its thumbprint; its assertions fail from now on')
    .action(async (id: string, key: string) => {
      await withStore(async ({ credentials: service }) => {
        await service.removeKey(id, key);
        process.stdout.write(`Removed key ${key}.\n`);
      });
    });
}
