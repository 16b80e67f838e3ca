import { CliUsageError, parseCommand } from './args.ts';
import type { Command } from './command.ts';
import { KinesisRequestError } from '../kinesis/kinesis-errors.ts';
import { createStreamCommand } from './commands/create-stream.ts';
import { describeStreamCommand } from './commands/describe-stream.ts';
import { consumersCommand, deregisterConsumerCommand, registerConsumerCommand } from './commands/consumers.ts';
import { dashboardCommand } from './commands/dashboard.ts';
import { leasesCommand } from './commands/leases.ts';
import { localCommand } from './commands/local.ts';
import { putCommand } from './commands/put.ts';
import { tailCommand } from './commands/tail.ts';
import { commandUsage, overallUsage } from './help.ts';
import { packageVersion } from './version.ts';

/** The commands, in the order the overall help lists them. */
const commands: readonly Command[] = [
  localCommand,
  createStreamCommand,
  describeStreamCommand,
  consumersCommand,
  registerConsumerCommand,
  deregisterConsumerCommand,
  leasesCommand,
  putCommand,
  tailCommand,
  dashboardCommand,
];

/** The command `words` start with: a two-word one (`consumers register`) before a one-word one. */
function commandOf(words: string[]): { command: Command | undefined; rest: string[] } {
  const two = commands.find((c) => c.name === `${words[0]} ${words[1]}`);
  if (two) return { command: two, rest: words.slice(2) };
  return { command: commands.find((c) => c.name === words[0]), rest: words.slice(1) };
}

/**
 * Runs the CLI on `argv` (without node and the script) and returns the exit code: 0 done,
 * 1 the command failed (an AWS error), 2 the command line was wrong.
 */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || (name === 'help' && args.length === 0)) {
    console.log(overallUsage(commands));
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(packageVersion());
    return 0;
  }
  const { command, rest } = commandOf(name === 'help' ? args : argv);
  if (command === undefined) {
    console.error(`kinesis-actors: unknown command "${name === 'help' ? args[0] : name}"\n\n${overallUsage(commands)}`);
    return 2;
  }
  if (name === 'help') {
    console.log(commandUsage(command));
    return 0;
  }
  try {
    const parsed = parseCommand(command, rest);
    if (parsed.help) {
      console.log(commandUsage(command));
      return 0;
    }
    await command.run(parsed.values, parsed.positionals);
    return 0;
  } catch (error) {
    if (error instanceof CliUsageError) {
      console.error(`kinesis-actors ${command.name}: ${oneLine(error.message)}\n\n${commandUsage(command)}`);
      return 2;
    }
    // A request Kinesis refused is told in Kinesis' words, as AWS's own tools tell it.
    const e = (error instanceof KinesisRequestError && error.cause instanceof Error ? error.cause : error) as { name?: string; message?: string };
    console.error(`kinesis-actors ${command.name}: ${e.name ?? 'Error'}: ${oneLine(e.message ?? String(error))}`);
    return 1;
  }
}

// Some messages (node:util parseArgs's among them) span lines; the error is one line so that
// scripts and logs can take it as a record.
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
