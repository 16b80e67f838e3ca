/**
 * One option of a command. The same description drives parsing ({@link parseCommand}) and the
 * help text ({@link commandUsage}), so what help promises is what the parser does.
 */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Placeholder of the value in help, e.g. `n` or `url`. */
  value?: string;
  /** One line of help. */
  help: string;
  /** The value when the option is absent (and its {@link OptionSpec.env | env} variable unset). */
  default?: string;
  /** Environment variable read when the option is absent, before {@link OptionSpec.default}. */
  env?: string;
  /** The default as help states it, when the command decides it rather than a literal value. */
  defaultText?: string;
  /** The only values accepted. */
  choices?: readonly string[];
  /** The command cannot run without it. */
  required?: boolean;
}

/** A command's options by name (without the leading `--`). */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean'
  ? boolean | undefined
  : S extends { default: string } | { required: true }
    ? string
    : string | undefined;

/** Parsed option values, typed after their specs: an option with a default is always a string. */
export type OptionValues<O extends OptionSpecs> = { -readonly [K in keyof O]: ValueOf<O[K]> };

/** One command of the CLI: what it is called, what it takes, what it does. */
export interface Command<O extends OptionSpecs = OptionSpecs> {
  name: string;
  /** Names of the positional arguments, all required, in order. */
  positionals: readonly string[];
  /** One line: what the command does. */
  summary: string;
  options: O;
  /** Runs with parsed, validated arguments; throws CliUsageError for arguments it rejects. */
  run(values: OptionValues<O>, positionals: string[]): Promise<void>;
}

/**
 * Declares a command, inferring its option types from the literal so that `run` sees exactly
 * the options it declared.
 *
 * @example
 * export const hello = defineCommand({
 *   name: 'hello', positionals: ['who'], summary: 'greet someone',
 *   options: { times: { type: 'string', value: 'n', default: '1', help: 'how often' } },
 *   async run(values, [who]) { console.log(`hello ${who}`.repeat(Number(values.times))); },
 * });
 */
export function defineCommand<const O extends OptionSpecs>(command: Command<O>): Command<O> {
  return command;
}
