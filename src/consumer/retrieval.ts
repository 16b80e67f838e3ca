import { InvalidOptionError } from '../errors.ts';
import type { FanOutReaderOptions } from '../kinesis/fan-out-reader.ts';

/**
 * How shards are read; the KCL's `RetrievalConfig`. `'polling'`: GetRecords, which every
 * application on the stream shares (5 reads/s and 2 MB/s per shard). `{ fanOut: {...} }`:
 * enhanced fan-out, SubscribeToShard over HTTP/2, with 2 MB/s per shard of its own and records
 * pushed as they arrive.
 */
export type RetrievalOption = 'polling' | { fanOut: FanOutOption };

/** Which registered stream consumer reads by enhanced fan-out. */
export interface FanOutOption {
  /**
   * Registered on the stream if no consumer has that name (the KCL's `consumerName`); workers of
   * one application share it. @defaultValue the application name
   */
  consumerName?: string | undefined;
  /** An ARN of a consumer registered already (the KCL's `consumerArn`); nothing is registered then. */
  consumerArn?: string | undefined;
}

/** Timings of fan-out: the defaults, which tests shorten. @internal */
export interface FanOutTimings extends FanOutReaderOptions {
  /** Between DescribeStreamConsumer calls while the consumer is CREATING. */
  registrationPollMs: number;
  /** Give up waiting for the consumer to be ACTIVE after this long. */
  registrationTimeoutMs: number;
  /** A subscription that receives nothing for this long (Kinesis sends an event at least every 5 s) is ended and renewed. */
  idleTimeoutMs: number;
  connectTimeoutMs: number;
}

/** Retrieval after validation. @internal */
export type ResolvedRetrieval =
  | { readonly type: 'polling' }
  | { readonly type: 'fanOut'; readonly consumerName: string; readonly consumerArn: string | undefined; readonly timings: FanOutTimings };

/** @internal */
export const fanOutDefaults: FanOutTimings = Object.freeze({
  maxBufferedEvents: 10,
  minTimeBetweenSubscribesMs: 1000,
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 5000,
  resourceInUseDelayMs: 1000,
  renewAfterMs: undefined,
  registrationPollMs: 1000,
  registrationTimeoutMs: 120_000,
  idleTimeoutMs: 35_000,
  connectTimeoutMs: 5000,
});

const CONSUMER_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const CONSUMER_ARN = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:\d+$/;

/**
 * Checks `retrieval` (named `field`). A test may give `fanOut.timings` (not part of the public
 * options) to shorten renewals and backoffs.
 * @internal
 */
export function resolveRetrieval(retrieval: RetrievalOption | undefined, names: { applicationName: string; streamName: string }, field = 'retrieval'): ResolvedRetrieval {
  if (retrieval === undefined || retrieval === 'polling') return Object.freeze({ type: 'polling' });
  if (retrieval === null || typeof retrieval !== 'object' || typeof retrieval.fanOut !== 'object' || retrieval.fanOut === null) {
    throw new InvalidOptionError(field, "must be 'polling' or { fanOut: { consumerName?, consumerArn? } }", retrieval);
  }
  const { consumerName, consumerArn } = retrieval.fanOut;
  if (consumerName !== undefined && (typeof consumerName !== 'string' || !CONSUMER_NAME.test(consumerName))) {
    throw new InvalidOptionError(`${field}.fanOut.consumerName`, 'must be 1–128 characters of a-z, A-Z, 0-9, _ . -', consumerName);
  }
  if (consumerArn !== undefined && (typeof consumerArn !== 'string' || !CONSUMER_ARN.test(consumerArn))) {
    throw new InvalidOptionError(`${field}.fanOut.consumerArn`, 'must be a stream consumer ARN (arn:aws:kinesis:<region>:<account>:stream/<stream>/consumer/<name>:<timestamp>)', consumerArn);
  }
  if (consumerName !== undefined && consumerArn !== undefined) {
    throw new InvalidOptionError(`${field}.fanOut.consumerArn`, 'and consumerName cannot both be given: the ARN names the consumer', 'both');
  }
  if (consumerArn !== undefined && consumerArn.split('/')[1] !== names.streamName) {
    throw new InvalidOptionError(`${field}.fanOut.consumerArn`, `must be a consumer of options.streamName (${names.streamName})`, consumerArn);
  }
  if (consumerName === undefined && consumerArn === undefined && !CONSUMER_NAME.test(names.applicationName)) {
    throw new InvalidOptionError(`${field}.fanOut.consumerName`, 'must be given: options.applicationName is longer than a consumer name may be (128)', undefined);
  }
  const timings = (retrieval.fanOut as { timings?: Partial<FanOutTimings> }).timings;
  return Object.freeze({
    type: 'fanOut',
    consumerName: consumerName ?? names.applicationName,
    consumerArn,
    timings: Object.freeze({ ...fanOutDefaults, ...timings }),
  });
}
