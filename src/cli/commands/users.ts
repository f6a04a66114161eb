import type { Command } from 'commander';
import { generatePassword } from '../../crypto/password-hash.js';
import { resolveAccount } from '../../services/credentials/accounts.js';
import { PortalUserService } from '../../services/credentials/portal-users.js';
import { printJson, printTable, userJson } from '../present.js';
import { withStore } from '../store-session.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('add and list portal users');

  users
    .command('create')
    .description(
      'add a portal user; the password is read from stdin with --password-stdin, or generated and printed once',
    )
    .requiredOption('--email <email>', 'their login')
    .option('--licence <licence>', 'admin, supervisor or none', 'supervisor')
    .option('--account <id-or-name>', 'the account (needed only when there are several)')
    .option(
      '--password-stdin',
      'read the password from stdin (never from the command line, where ps shows it)',
    )
    .option('--json', 'print JSON')
    .action(
      async (options: {
        email: string;
        licence: string;
        account?: string;
        passwordStdin?: boolean;
        json?: boolean;
      }) => {
        const password = options.passwordStdin ? await readStdin() : generatePassword();
        await withStore(async ({ store }) => {
          const account = await resolveAccount(store, options.account);
          const user = await new PortalUserService(store).create({
            accountId: account.id,
            email: options.email,
            password,
            licence: options.licence,
          });
          const generated = options.passwordStdin ? undefined : password;
          if (options.json)
            return printJson({ ...userJson(user), ...(generated ? { password: generated } : {}) });
          const lines = [
            `Added ${user.email} to account ${account.name} with ${user.licence ?? 'no'} licence.`,
            ...(generated ? [`  password: ${generated}`, 'Pass it on safely: it is not shown again.'] : []),
            '',
          ];
          process.stdout.write(lines.join('\n'));
        });
      },
    );

  users
    .command('list')
    .description("list an account's portal users")
    .option('--account <id-or-name>', 'the account (needed only when there are several)')
    .option('--json', 'print JSON')
    .action(async (options: { account?: string; json?: boolean }) => {
      await withStore(async ({ store }) => {
        const account = await resolveAccount(store, options.account);
        const list = await store.users.list(account.id);
        if (options.json) return printJson(list.map(userJson));
        printTable(
          list.map((u) => ({ email: u.email, licence: u.licence ?? 'none', created: u.createdAt })),
          `No portal users in account ${account.name} yet.`,
        );
      });
    });
}
