import type { Command } from 'commander';
import { rotateSigningKeys } from '../../services/verification/signing-keys.js';
import { printJson, printTable, signingKeyJson } from '../present.js';
import { withStore } from '../store-session.js';

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('token signing keys');

  keys
    .command('list')
    .description('list signing keys (public information only)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withStore(async ({ store, config }) => {
        const list = await store.signingKeys.list(config.region);
        if (options.json) return printJson(list.map(signingKeyJson));
        printTable(
          list.map((k) => ({
            kid: k.kid,
            alg: k.alg,
            status: k.status,
            created: k.createdAt,
            retire_after: k.retireAfter,
          })),
          'No signing keys yet.',
        );
      });
    });

  keys
    .command('rotate')
    .description(
      'start signing with the pre-published next key; the old key stays published until its tokens expire',
    )
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withStore(async ({ store, keyEncryptionKey, config }) => {
        await rotateSigningKeys(store, keyEncryptionKey, config.region, config.tokenLifetimeSeconds);
        const list = await store.signingKeys.list(config.region);
        if (options.json) return printJson(list.map(signingKeyJson));
        const active = list.find((k) => k.status === 'active');
        process.stdout.write(`Rotated: tokens are now signed with key ${active?.kid} (${active?.alg}).\n`);
      });
    });
}
