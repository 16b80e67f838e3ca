import { randomUUID } from 'node:crypto';
import { InvalidOptionError } from '../../errors.ts';
import { integer, oneOf, optionalFunction } from '../../options/validate.ts';
import type { Clock } from '../../internal/clock.ts';
import { resolveLogger, type Logger, type LoggerOption } from '../../internal/logger.ts';
import type { PutTarget } from '../../pipeline/put-target.ts';
import { checkPattern } from './glob.ts';
import type { CsvFormat } from './csv.ts';

/** How each line becomes a record: the line's bytes, parsed JSON, or CSV converted to JSON. */
export type LineFormat = 'text' | 'json' | { csv: CsvFormat };

/** Options of {@link createFileTailAgent}. */
export interface FileTailAgentOptions {
  /** Files to follow: paths, with `*` and `?` allowed in the file name (`/var/log/app/*.log`). Required. */
  files: string | string[];
  /** Where each line is put: a `Producer`, or a producer-side pipeline. Required. */
  target: PutTarget;
  /** JSON file holding the read position of every file, so a restart neither skips nor repeats lines. Required. */
  checkpointFile: string;
  /** @defaultValue 'text' */
  format?: LineFormat | undefined;
  /** Partition key of a line, from its record value and the file. @defaultValue a random UUID per line (as the Kinesis Agent) */
  partitionKey?: ((value: unknown, file: string) => string) | undefined;
  /** Where a file seen for the first time (no checkpoint) starts. @defaultValue 'start' */
  startPosition?: 'start' | 'end' | undefined;
  /** How often files are checked for new lines, new files and rotation. @defaultValue 250 */
  pollIntervalMs?: number | undefined;
  /** How often the checkpoint file is written (and on close). @defaultValue 1000 */
  checkpointIntervalMs?: number | undefined;
  /** Longest line; a longer one is counted as failed and skipped. @defaultValue 1048576 */
  maxLineBytes?: number | undefined;
  /** Lines put but not yet acknowledged; reading pauses at this many. @defaultValue 10000 */
  maxPendingLines?: number | undefined;
  /** A pino logger, or a console-like object such as `console` (adapted: its methods get the message, then the context; debug and below left out); when absent, warnings and errors go to stderr. Anything else throws `InvalidOptionError`. */
  logger?: LoggerOption | undefined;
  clock?: Clock | undefined;
}

export const fileTailDefaults = Object.freeze({
  format: 'text' as LineFormat,
  startPosition: 'start' as const,
  pollIntervalMs: 250,
  checkpointIntervalMs: 1_000,
  maxLineBytes: 1024 * 1024,
  maxPendingLines: 10_000,
});

/** @internal */
export type ResolvedFileTailOptions = Required<Omit<FileTailAgentOptions, 'files' | 'logger' | 'clock'>> & { files: string[]; logger: Logger | undefined; clock: Clock | undefined };

/** Applies defaults, checks every field, and freezes the result. @internal */
export function resolveFileTailOptions(options: FileTailAgentOptions): ResolvedFileTailOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('', 'must be an object with files, target and checkpointFile', options);
  const files = typeof options.files === 'string' ? [options.files] : options.files;
  if (!Array.isArray(files) || files.length === 0) throw new InvalidOptionError('files', 'must be a path pattern or a non-empty array of them', options.files);
  files.forEach((pattern, i) => {
    const problem = typeof pattern === 'string' ? checkPattern(pattern) : 'must be a string';
    if (problem) throw new InvalidOptionError(`files[${i}]`, problem, pattern);
  });
  if (!options.target || typeof options.target.put !== 'function') throw new InvalidOptionError('target', 'must have put(value, { partitionKey }), e.g. a Producer', options.target);
  if (typeof options.checkpointFile !== 'string' || options.checkpointFile.length === 0) throw new InvalidOptionError('checkpointFile', 'must be a file path', options.checkpointFile);
  const format = options.format ?? fileTailDefaults.format;
  if (format !== 'text' && format !== 'json') {
    const csv = (format as { csv?: CsvFormat })?.csv;
    if (!csv || !Array.isArray(csv.fieldNames) || csv.fieldNames.length === 0 || !csv.fieldNames.every((n) => typeof n === 'string' && n.length > 0)) {
      throw new InvalidOptionError('format.csv.fieldNames', 'must be a non-empty array of field names', csv?.fieldNames);
    }
    if (csv.delimiter !== undefined && (typeof csv.delimiter !== 'string' || csv.delimiter.length !== 1 || csv.delimiter === '"')) {
      throw new InvalidOptionError('format.csv.delimiter', 'must be one character other than "', csv.delimiter);
    }
  }
  const startPosition = oneOf('startPosition', options.startPosition ?? fileTailDefaults.startPosition, ['start', 'end']);
  const partitionKey = optionalFunction('partitionKey', options.partitionKey, 'a function of the record value');
  return Object.freeze({
    files,
    target: options.target,
    checkpointFile: options.checkpointFile,
    format,
    partitionKey: partitionKey ?? (() => randomUUID()),
    startPosition,
    pollIntervalMs: integer('pollIntervalMs', options.pollIntervalMs ?? fileTailDefaults.pollIntervalMs, 1),
    checkpointIntervalMs: integer('checkpointIntervalMs', options.checkpointIntervalMs ?? fileTailDefaults.checkpointIntervalMs, 1),
    maxLineBytes: integer('maxLineBytes', options.maxLineBytes ?? fileTailDefaults.maxLineBytes, 1),
    maxPendingLines: integer('maxPendingLines', options.maxPendingLines ?? fileTailDefaults.maxPendingLines, 1),
    logger: resolveLogger(options.logger),
    clock: options.clock,
  });
}
