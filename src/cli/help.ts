import type { Command, OptionSpec } from './command.ts';
import { connectionOptions } from './connection.ts';

const program = 'kinesis-actors';

/** A command's synopsis without the program name: `put <stream> <file> [options]`. */
function synopsis(command: Command, withOptions = true): string {
  const entries = Object.entries(command.options);
  const required = entries.filter(([, spec]) => spec.required).map(([name, spec]) => flag(name, spec));
  const optional = withOptions && entries.some(([, spec]) => !spec.required) ? ['[options]'] : [];
  return [command.name, ...command.positionals.map((p) => `<${p}>`), ...required, ...optional].join(' ');
}

/** The help of one command: synopsis, summary, and every option with its default. */
export function commandUsage(command: Command): string {
  const rows: Array<[string, string]> = Object.entries(command.options).map(([name, spec]) => [flag(name, spec), `${spec.help} ${defaultOf(spec)}`]);
  rows.push(['-h, --help', 'show this help']);
  return [`Usage: ${program} ${synopsis(command)}`, '', sentence(command.summary), '', 'Options:', ...table(rows)].join('\n');
}

/** The overall help: every command, how to reach its help, and the version flag. */
export function overallUsage(commands: readonly Command[]): string {
  const connection = Object.entries(connectionOptions);
  const flags = connection.map(([name]) => `--${name}`);
  const envs = connection.map(([, spec]) => spec.env);
  return [
    `Usage: ${program} <command> [options]`,
    '',
    'Operate Kinesis streams and the lease tables of kinesis-actors consumers.',
    '',
    'Commands:',
    ...table(commands.map((c) => [synopsis(c, false), c.summary])),
    '',
    `Commands that connect take ${list(flags)}`,
    `(or ${envs.join(', ')}); with no endpoint, the SDK's AWS_ENDPOINT_URL_KINESIS,`,
    'AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL apply, else AWS, with the default credentials.',
    '',
    ...table([
      [`${program} <command> --help`, "a command's options and their defaults"],
      [`${program} --version`, 'the version'],
    ]),
  ].join('\n');
}

function flag(name: string, spec: OptionSpec): string {
  if (spec.type === 'boolean') return `--${name}`;
  return `--${name} <${spec.choices ? spec.choices.join('|') : (spec.value ?? 'value')}>`;
}

function defaultOf(spec: OptionSpec): string {
  if (spec.required) return '(required)';
  const parts = [spec.env === undefined ? undefined : `$${spec.env}`, spec.default ?? spec.defaultText].filter((p) => p !== undefined);
  return parts.length > 0 ? `(default: ${parts.join(', else ')})` : '';
}

function table(rows: Array<[string, string]>): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}   ${right}`.trimEnd());
}

function sentence(text: string): string {
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

function list(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
