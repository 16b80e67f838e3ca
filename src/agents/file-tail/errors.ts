import { KinesisActorsError } from '../../errors.ts';

/**
 * One line of a tailed file could not be turned into a record (a CSV row with the wrong number
 * of fields, an unterminated quote, JSON that does not parse). The line is counted as failed
 * and skipped; the file goes on.
 */
export class LineFormatError extends KinesisActorsError {
  constructor(message: string, cause?: unknown) {
    super('INVALID_LINE', message, { cause });
    this.name = 'LineFormatError';
  }
}

/**
 * The checkpoint file of a file tail agent exists but cannot be used: it is not JSON, or not
 * in the expected shape. The agent refuses to start rather than guess positions; fix or delete
 * the file named in the message (deleting it re-reads every file per `startPosition`).
 */
export class CheckpointFileError extends KinesisActorsError {
  /** Path of the checkpoint file. */
  readonly file: string;

  constructor(file: string, problem: string, cause?: unknown) {
    super('CHECKPOINT_FILE_CORRUPT', `checkpoint file ${file} ${problem}; fix or delete it`, { cause });
    this.name = 'CheckpointFileError';
    this.file = file;
  }
}
