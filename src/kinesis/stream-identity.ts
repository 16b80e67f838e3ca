import { InvalidOptionError } from '../errors.ts';

/**
 * A stream as the Kinesis boundary takes it: its name, or its ARN. The SDK implementation sends
 * an ARN as `StreamARN`, which is how a stream of another account is reached through its resource
 * policy, and a name as `StreamName`. A name cannot hold a colon, so the two never mix up.
 */
export type StreamIdentity = string;

/** The parts of a stream ARN, `arn:<partition>:kinesis:<region>:<account>:stream/<name>`. */
export interface StreamArnParts {
  partition: string;
  region: string;
  accountId: string;
  streamName: string;
}

const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const STREAM_ARN = /^arn:(aws[a-z-]*):kinesis:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):stream\/([a-zA-Z0-9_.-]{1,128})$/;

/** The parts of a stream ARN, or undefined when `arn` does not have the shape of one. */
export function parseStreamArn(arn: string): StreamArnParts | undefined {
  const match = STREAM_ARN.exec(arn);
  if (!match) return undefined;
  return { partition: match[1], region: match[2], accountId: match[3], streamName: match[4] };
}

/** `StreamARN` for an ARN, `StreamName` for a name: the parameter every stream-level request takes. @internal */
export function streamParameter(stream: StreamIdentity): { StreamName: string } | { StreamARN: string } {
  return stream.startsWith('arn:') ? { StreamARN: stream } : { StreamName: stream };
}

/** A stream chosen by options: its name (lease tables, metrics and logs need one) and what Kinesis is called with. */
export interface ResolvedStream {
  /** The stream's name: given, or the last part of the ARN. */
  streamName: string;
  /** The ARN given, if one was. */
  streamArn: string | undefined;
  /** The ARN when one was given, the name otherwise. */
  stream: StreamIdentity;
}

/**
 * Checks that exactly one of `streamName` and `streamArn` is given, and that it has the right
 * shape; throws an {@link InvalidOptionError} naming the field otherwise.
 */
export function resolveStream(options: { streamName?: unknown; streamArn?: unknown }): ResolvedStream {
  const { streamName, streamArn } = options;
  if (streamName !== undefined && streamArn !== undefined) {
    throw new InvalidOptionError('streamName', 'and options.streamArn name the same stream: give only one of them', streamName);
  }
  if (streamArn !== undefined) {
    const parts = typeof streamArn === 'string' ? parseStreamArn(streamArn) : undefined;
    if (!parts) {
      const shown = typeof streamArn === 'string' ? `, which ${JSON.stringify(streamArn.slice(0, 300))} is not` : '';
      throw new InvalidOptionError('streamArn', `must be a stream ARN, arn:<partition>:kinesis:<region>:<12-digit account>:stream/<name>${shown}`, streamArn);
    }
    return { streamName: parts.streamName, streamArn: streamArn as string, stream: streamArn as string };
  }
  if (typeof streamName !== 'string' || !STREAM_NAME.test(streamName)) {
    const requirement = streamName === undefined ? 'or options.streamArn is required' : 'must be 1–128 characters of a-z, A-Z, 0-9, _ . -';
    throw new InvalidOptionError('streamName', requirement, streamName);
  }
  return { streamName, streamArn: undefined, stream: streamName };
}
