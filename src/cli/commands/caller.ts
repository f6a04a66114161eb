import { CALLER_COMMANDS, type CallerCommand, runCallerCommand } from '@keygate/client/cli';
import { type Command, Help } from 'commander';
import { cliConfig } from '../cli-config.js';

/**
 * `keygate token` and `keygate call`: the client package's commands, run as they are, with the
 * configured Keygate as the default issuer and gateway. The client parses the arguments (and
 * prints the help), so commander passes them on untouched.
 */
export function registerCallerCommands(program: Command): void {
  for (const [name, { description }] of Object.entries(CALLER_COMMANDS) as Array<
    [CallerCommand, (typeof CALLER_COMMANDS)[CallerCommand]]
  >) {
    program
      .command(name)
      .description(description)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(async (_options: unknown, command: Command) => {
        process.exitCode = await runCallerCommand(
          name,
          command.args,
          {
            issuer: () => cliConfig().publicUrl,
            apiBaseUrl: () => cliConfig().audience,
            describedAs: 'the configured Keygate',
          },
          'keygate',
        );
      });
  }
  // The command list shows their arguments as the client defines them: commander sees none.
  program.configureHelp({
    subcommandTerm(command) {
      const caller = CALLER_COMMANDS[command.name() as CallerCommand];
      return caller ? `${command.name()} ${caller.usage}` : Help.prototype.subcommandTerm.call(this, command);
    },
  });
}
