import { closeSync, fchmodSync, openSync, writeFileSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import {
  ConfigProblems,
  type DeclaredConfigOptions,
  exportConfig,
  type HandedSecrets,
  managerOfFile,
  type PlannedChange,
  planChanges,
  runChanges,
} from '../../services/credentials/declared-config.js';
import { ConfigFileError, readConfigFile } from '../config-file.js';
import { printJson } from '../present.js';
import { type StoreSession, withStore } from '../store-session.js';

/** `keygate diff` when there is something to do: like `git diff --exit-code`. */
export const DIFF_CHANGES_EXIT_CODE = 3;

const SYMBOL = { create: '+', update: '~', delete: '-' } as const;

function optionsOf(
  { store, config, credentials, credentialsOver }: StoreSession,
  manager: string,
): DeclaredConfigOptions {
  return {
    store,
    credentials,
    credentialsOver,
    defaultRegion: config.region,
    plans: Object.keys(config.rateLimitPlans),
    manager,
  };
}

/** Reads and checks the whole file, against the schema and then the store, before any write. */
async function plan(
  session: StoreSession,
  file: string,
  prune: boolean,
): Promise<{ changes: PlannedChange[]; notes: string[]; options: DeclaredConfigOptions }> {
  const read = readConfigFile(file);
  const options = optionsOf(session, read.config.manager ?? managerOfFile(file));
  const notes: string[] = [];
  try {
    return { changes: await planChanges(options, read.config, { prune, notes }), notes, options };
  } catch (error) {
    if (error instanceof ConfigProblems) throw new ConfigFileError(file, read.describe(error.problems));
    throw error;
  }
}

function changeText(change: PlannedChange): string {
  return [
    `${SYMBOL[change.action]} ${change.type} ${change.name}`,
    ...change.details.map((d) => `    ${d}`),
  ].join('\n');
}

function summary(changes: readonly PlannedChange[]): string {
  const count = (action: PlannedChange['action']) => changes.filter((c) => c.action === action).length;
  return `${count('create')} to create, ${count('update')} to change, ${count('delete')} to delete.`;
}

function changeJson(change: PlannedChange) {
  return { action: change.action, type: change.type, name: change.name, details: change.details };
}

export function registerDeclarativeCommands(program: Command): void {
  program
    .command('diff')
    .description(
      `what \`keygate apply\` would create, change and delete; changes nothing; exit ${DIFF_CHANGES_EXIT_CODE} when there is something to apply`,
    )
    .requiredOption('-f, --file <file>', 'the configuration file (YAML or JSON)')
    .option(
      '--prune',
      'also list what apply --prune deletes: the credentials, users and accounts marked as this file’s that it no longer declares',
    )
    .option('--json', 'print JSON')
    .action(async (options: { file: string; prune?: boolean; json?: boolean }) => {
      await withStore(async (session) => {
        const { changes, notes } = await plan(session, options.file, options.prune ?? false);
        if (changes.length > 0) process.exitCode = DIFF_CHANGES_EXIT_CODE;
        if (options.json) return printJson({ changes: changes.map(changeJson), notes });
        printNotes(notes);
        if (changes.length === 0) {
          process.stdout.write(`No changes: the store is as ${options.file} declares.\n`);
          return;
        }
        process.stdout.write(`${changes.map(changeText).join('\n')}\n${summary(changes)}\n`);
      });
    });

  program
    .command('apply')
    .description(
      'make the store what a configuration file declares, each account in one transaction; writes nothing when it already is; new secrets and passwords are shown once',
    )
    .requiredOption('-f, --file <file>', 'the configuration file (YAML or JSON)')
    .option(
      '--prune',
      'delete the credentials, users and accounts marked as this file’s that it no longer declares (never those made by hand or by another file)',
    )
    .option(
      '--secrets-file <path>',
      'write new client secrets and passwords to this file (JSON, mode 0600) instead of printing them',
    )
    .option('--json', 'print JSON')
    .action(async (options: { file: string; prune?: boolean; secretsFile?: string; json?: boolean }) => {
      await withStore(async (session) => {
        const planned = await plan(session, options.file, options.prune ?? false);
        const { changes, notes } = planned;
        if (!options.json) printNotes(notes);
        // Opened before the first write: a secret made and then not written anywhere would be lost.
        const secretsFd =
          options.secretsFile === undefined ? undefined : openSecretsFile(options.secretsFile);
        const secrets: HandedSecrets = { credentials: [], users: [] };
        const done: PlannedChange[] = [];
        try {
          await runChanges(planned.options, changes, secrets, (change) => {
            done.push(change);
            if (!options.json) process.stdout.write(`${changeText(change)}\n`);
          });
        } catch (error) {
          // The accounts applied before the failure keep their changes: their new secrets must not be lost.
          if (options.json)
            printJson({
              changes: done.map(changeJson),
              ...(secretsFd === undefined && { secrets }),
              error: (error as Error).message,
            });
          else if (secretsFd === undefined) printSecrets(secrets);
          throw error;
        } finally {
          if (secretsFd !== undefined) {
            writeSync(secretsFd, `${JSON.stringify(secrets, null, 2)}\n`);
            closeSync(secretsFd);
          }
        }
        if (options.json)
          return printJson({
            changes: done.map(changeJson),
            notes,
            ...(secretsFd === undefined && { secrets }),
          });
        if (changes.length === 0) {
          process.stdout.write(`No changes: the store is as ${options.file} declares.\n`);
          return;
        }
        process.stdout.write(`Applied: ${summary(done)}\n`);
        if (secretsFd !== undefined) {
          process.stdout.write(`New secrets and passwords are in ${options.secretsFile} (mode 0600).\n`);
          return;
        }
        printSecrets(secrets);
      });
    });

  program
    .command('export')
    .description(
      'write every account, portal user and credential as a configuration file for apply (never secrets)',
    )
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (options: { output?: string }) => {
      await withStore(async ({ store, config }) => {
        const exported = await exportConfig(store);
        const text = [
          `# keygate export of region ${config.region}: apply it with \`keygate apply -f FILE\`.`,
          '# Secrets are not exported: credentials without keys get new secrets where this is applied.',
          stringify(exported, { lineWidth: 0 }),
        ].join('\n');
        if (options.output) writeFileSync(options.output, text);
        else process.stdout.write(text);
      });
    });
}

/** What the plan leaves as it is though the file might suggest otherwise, on stderr. */
function printNotes(notes: readonly string[]): void {
  for (const note of notes) process.stderr.write(`note: ${note}\n`);
}

function openSecretsFile(path: string): number {
  const fd = openSync(path, 'w', 0o600);
  // A file that was there keeps its mode on open: narrow it before a secret goes in.
  fchmodSync(fd, 0o600);
  return fd;
}

function printSecrets(secrets: HandedSecrets): void {
  const lines: string[] = [];
  for (const c of secrets.credentials) {
    lines.push(`  credential ${c.account}/${c.name}: client ID ${c.clientId}`);
    if (c.clientSecret !== null) lines.push(`    client secret: ${c.clientSecret}`);
  }
  for (const u of secrets.users) lines.push(`  user ${u.email} (${u.account}): password ${u.password}`);
  if (lines.length === 0) return;
  process.stdout.write(
    [
      'New client IDs, secrets and passwords; copy them now: the secrets cannot be retrieved later.',
      ...lines,
      '',
    ].join('\n'),
  );
}
