import { KinesisActorsError } from '../errors.ts';
import { resolveStream, type ResolvedStream } from '../kinesis/stream-identity.ts';
import { CliUsageError } from './args.ts';

/**
 * A stream given on the command line: a name, or an ARN (`arn:…:kinesis:<region>:<account>:stream/<name>`),
 * which the commands then send to Kinesis as `StreamARN`. A malformed one is a usage error.
 */
export function streamArgument(value: string): ResolvedStream {
  try {
    return resolveStream(value.startsWith('arn:') ? { streamArn: value } : { streamName: value });
  } catch (error) {
    if (!(error instanceof KinesisActorsError)) throw error;
    const what = value.startsWith('arn:')
      ? 'must be a stream ARN, arn:<partition>:kinesis:<region>:<12-digit account>:stream/<name>'
      : 'must be a stream name (1–128 characters of a-z, A-Z, 0-9, _ . -) or a stream ARN';
    throw new CliUsageError(`the stream ${what} (got ${JSON.stringify(value)})`);
  }
}
