import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line that cannot run as given: the CLI prints it with the usage and exits 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** Options every command takes: where Kinesis and DynamoDB are. */
export const connectionOptions = {
  endpoint: { type: 'string' },
  'dynamodb-endpoint': { type: 'string' },
  region: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** Parses one command's arguments; unknown options and missing positionals are usage errors. */
export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, positionals: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...connectionOptions, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (parsed.positionals.length < positionals.length) throw new CliUsageError(`missing argument <${positionals[parsed.positionals.length]}>`);
  if (parsed.positionals.length > positionals.length) throw new CliUsageError(`unexpected argument "${parsed.positionals[positionals.length]}"`);
  return parsed;
}

/** A whole-number option within bounds. */
export function integerOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliUsageError(`--${name} must be a whole number from ${min} to ${max} (got "${value}")`);
  return n;
}
