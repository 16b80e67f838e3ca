import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Command, OptionSpecs, OptionValues } from './command.ts';

/** A command line that cannot run as given: the CLI prints it with the command's usage and exits 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** A command line parsed against its command: either a request for help or arguments to run with. */
export type ParsedCommand<O extends OptionSpecs> = { help: true } | { help: false; values: OptionValues<O>; positionals: string[] };

/**
 * Parses one command's arguments strictly against its options. Unknown options, missing or extra
 * positionals, missing required options and values outside `choices` are usage errors; absent
 * options take their environment variable, then their default.
 */
export function parseCommand<O extends OptionSpecs>(command: Command<O>, args: string[]): ParsedCommand<O> {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(command.options)) options[name] = { type: spec.type };
  // Help wins over everything else on the line, even an unknown option or a missing argument.
  if (parseArgs({ args, options, allowPositionals: true, strict: false }).values.help === true) return { help: true };
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const { positionals } = parsed;
  const expected = command.positionals;
  if (positionals.length < expected.length) throw new CliUsageError(`missing argument <${expected[positionals.length]}>`);
  if (positionals.length > expected.length) throw new CliUsageError(`unexpected argument "${positionals[expected.length]}"`);
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, spec] of Object.entries(command.options)) {
    // No option is declared `multiple`, so a value is never an array.
    const given = parsed.values[name] as string | boolean | undefined;
    const value = given ?? (spec.env === undefined ? undefined : process.env[spec.env]) ?? spec.default;
    if (spec.required && value === undefined) throw new CliUsageError(`--${name} <${spec.value ?? 'value'}> is required`);
    if (spec.choices && typeof value === 'string' && !spec.choices.includes(value)) {
      throw new CliUsageError(`--${name} must be ${spec.choices.map((c) => `"${c}"`).join(' or ')} (got "${value}")`);
    }
    values[name] = value;
  }
  return { help: false, values: values as OptionValues<O>, positionals };
}

/** A whole-number option within bounds. */
export function integerOption(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new CliUsageError(`--${name} must be a whole number from ${min} to ${max} (got "${value}")`);
  return n;
}
