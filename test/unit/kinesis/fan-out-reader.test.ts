import { describe, expect, it } from 'vitest';
import { KinesisActorsError } from '../../../src/errors.ts';
import type { KinesisRecord, StartPosition, SubscriptionEvent } from '../../../src/kinesis/kinesis-api.ts';
import { classifyKinesisError } from '../../../src/kinesis/kinesis-errors.ts';
import { FanOutReader, type FanOutReaderReport } from '../../../src/kinesis/fan-out-reader.ts';
import { silentLogger } from '../../../src/internal/logger.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { fakeKinesisApi } from './fake-kinesis.ts';
import { drive } from './drive.ts';

const record = (seq: string): KinesisRecord => ({ SequenceNumber: seq, Data: new Uint8Array(), PartitionKey: 'k' });
const event = (seqs: string[], continuation: string | undefined, millisBehindLatest = 0): SubscriptionEvent => ({
  records: seqs.map(record),
  continuationSequenceNumber: continuation,
  millisBehindLatest,
  childShards: undefined,
});
const kinesisError = (name: string) => classifyKinesisError(Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } }), 'SubscribeToShard');

/** One subscription: its events, then an end (undefined), an error, or an endless stream ('open'). */
type Script = { events: SubscriptionEvent[]; then?: Error | 'open' } | Error;

interface Subscription {
  position: StartPosition;
  pulled: number;
  released: boolean;
}

/** A boundary whose subscriptions follow `scripts`, one per SubscribeToShard call; records what was pulled and released. */
function fakeFanOut(scripts: Script[]) {
  const subscriptions: Subscription[] = [];
  const kinesis = fakeKinesisApi({
    subscribeToShard: async (_arn, _shardId, position, signal) => {
      const script = scripts.shift();
      if (!script) throw new Error('unexpected SubscribeToShard');
      if (script instanceof Error) throw script;
      const sub: Subscription = { position, pulled: 0, released: false };
      subscriptions.push(sub);
      signal.addEventListener('abort', () => (sub.released = true), { once: true });
      return (async function* () {
        try {
          for (const e of script.events) {
            sub.pulled++;
            yield e;
          }
          if (script.then instanceof Error) throw script.then;
          if (script.then === 'open') await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        } finally {
          sub.released = true;
        }
      })();
    },
  });
  return { kinesis, subscriptions };
}

const options = { maxBufferedEvents: 3, minTimeBetweenSubscribesMs: 1000, retryBaseDelayMs: 100, retryMaxDelayMs: 1000, resourceInUseDelayMs: 1000 };
const signal = new AbortController().signal;

function newReader(
  kinesis: ReturnType<typeof fakeFanOut>['kinesis'],
  clock: SimulatedClock,
  extra: Partial<typeof options & { renewAfterMs: number }> = {},
  report?: FanOutReaderReport,
) {
  return new FanOutReader(kinesis, 'arn:consumer', 'shard-0', clock, silentLogger(), { ...options, ...extra }, report);
}

/** A report that records what the reader told, in order. */
function recordingReport() {
  const told: string[] = [];
  const report: FanOutReaderReport = {
    subscribed: (kind) => told.push(kind),
    eventReceived: () => told.push('event'),
    resourceInUse: () => told.push('resourceInUse'),
  };
  return { told, report };
}

describe('FanOutReader', () => {
  it('hands over each event as a page, subscribes again after the last continuation when a subscription ends, and ends the shard on a null continuation', async () => {
    const clock = new SimulatedClock();
    const { kinesis, subscriptions } = fakeFanOut([{ events: [event(['1', '2'], '2', 40), event([], '2', 0)] }, { events: [event(['3'], '3'), event(['4'], undefined)] }]);
    const reader = newReader(kinesis, clock);
    await reader.start({ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '1' });
    const pages = [];
    for (let i = 0; i < 4; i++) pages.push(await drive(clock, reader.read(signal)));
    expect(pages.map((p) => [p.records.map((r) => r.SequenceNumber), p.millisBehindLatest, p.shardEnded])).toEqual([
      [['1', '2'], 40, false],
      [[], 0, false],
      [['3'], 0, false],
      [['4'], 0, true],
    ]);
    expect(subscriptions.map((s) => s.position)).toEqual([
      { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '1' },
      { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '2' },
    ]);
    await reader.close();
    expect(subscriptions.every((s) => s.released)).toBe(true);
  });

  it('pulls at most maxBufferedEvents events ahead of the reader: a slow reader pauses the subscription', async () => {
    const clock = new SimulatedClock();
    const many = Array.from({ length: 50 }, (_, i) => event([String(i + 1)], String(i + 1)));
    const { kinesis, subscriptions } = fakeFanOut([{ events: many, then: 'open' }]);
    const reader = newReader(kinesis, clock);
    await reader.start({ type: 'TRIM_HORIZON' });
    for (let read = 1; read <= 5; read++) {
      await drive(clock, reader.read(signal));
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      // Read ones, the buffer full, and the one waiting for room.
      expect(subscriptions[0].pulled).toBeLessThanOrEqual(read + options.maxBufferedEvents + 1);
    }
    await reader.close();
    expect(subscriptions[0].released).toBe(true);
  });

  it('waits after ResourceInUseException and after a failed subscription, then resumes after the last continuation', async () => {
    const clock = new SimulatedClock();
    const { kinesis, subscriptions } = fakeFanOut([
      { events: [event(['1'], '1')], then: kinesisError('InternalFailureException') },
      kinesisError('ResourceInUseException'),
      { events: [event(['2'], undefined)] },
    ]);
    const reader = newReader(kinesis, clock);
    await reader.start({ type: 'LATEST' });
    const started = clock.now();
    const first = await drive(clock, reader.read(signal));
    const last = await drive(clock, reader.read(signal));
    expect([first.records[0].SequenceNumber, last.records[0].SequenceNumber, last.shardEnded]).toEqual(['1', '2', true]);
    expect(subscriptions.map((s) => s.position)).toEqual([{ type: 'LATEST' }, { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '1' }]);
    // At least the backoff after the failure plus half the ResourceInUse wait.
    expect(clock.now() - started).toBeGreaterThanOrEqual(50 + 500);
  });

  it('renews a subscription after renewAfterMs from its last continuation', async () => {
    const clock = new SimulatedClock();
    const { kinesis, subscriptions } = fakeFanOut([{ events: [event(['1'], '1')], then: 'open' }, { events: [event(['2'], '2')], then: 'open' }]);
    const reader = newReader(kinesis, clock, { renewAfterMs: 2000 });
    await reader.start({ type: 'TRIM_HORIZON' });
    await drive(clock, reader.read(signal));
    const second = await drive(clock, reader.read(signal));
    expect(second.records[0].SequenceNumber).toBe('2');
    expect(subscriptions[0].released).toBe(true);
    expect(subscriptions[1].position).toEqual({ type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '1' });
    await reader.close();
    expect(subscriptions[1].released).toBe(true);
  });

  it('rejects a read with an error that retrying cannot fix, and returns an empty page when the read is cut short', async () => {
    const clock = new SimulatedClock();
    const gone = new KinesisActorsError('STREAM_CONSUMER_NOT_FOUND', 'gone');
    const { kinesis } = fakeFanOut([gone]);
    const reader = newReader(kinesis, clock);
    await reader.start({ type: 'TRIM_HORIZON' });
    await expect(drive(clock, reader.read(signal))).rejects.toBe(gone);

    const { kinesis: quiet, subscriptions } = fakeFanOut([{ events: [], then: 'open' }]);
    const idle = newReader(quiet, clock);
    await idle.start({ type: 'TRIM_HORIZON' });
    const stop = new AbortController();
    const read = idle.read(stop.signal);
    await drive(clock, Promise.resolve());
    stop.abort();
    expect(await read).toEqual({ records: [], millisBehindLatest: undefined, shardEnded: false });
    await idle.close();
    await idle.close();
    expect(subscriptions[0].released).toBe(true);
  });
  it('reports each subscription with why it was made, each event, and each ResourceInUseException refusal, whether the call or the stream refused', async () => {
    const clock = new SimulatedClock();
    const inUse = () => kinesisError('ResourceInUseException');
    const { kinesis } = fakeFanOut([
      inUse(), // the call refused
      { events: [], then: inUse() }, // an accepted stream whose first message refuses (as kinesis-mock does)
      { events: [event(['1'], '1'), event([], '1')] }, // ended by Kinesis: renewed
      { events: [event(['2'], '2')], then: kinesisError('InternalFailureException') }, // failed: made again
      { events: [event(['3'], '3')], then: 'open' }, // renewed after renewAfterMs
      { events: [event(['4'], undefined)] },
    ]);
    const { told, report } = recordingReport();
    const reader = newReader(kinesis, clock, { renewAfterMs: 5000 }, report);
    await reader.start({ type: 'TRIM_HORIZON' });
    const seen: string[] = [];
    for (;;) {
      const page = await drive(clock, reader.read(signal));
      seen.push(...page.records.map((r) => r.SequenceNumber!));
      if (page.shardEnded) break;
    }
    expect(seen).toEqual(['1', '2', '3', '4']);
    expect(told).toEqual([
      'resourceInUse',
      'resourceInUse',
      'first',
      'event',
      'event',
      'renewal',
      'event',
      'afterError',
      'event',
      'renewal',
      'event',
    ]);
    await reader.close();
  });

  it('a subscription counts once accepted, even if it ends (or is closed) before its first event', async () => {
    const clock = new SimulatedClock();
    const { kinesis, subscriptions } = fakeFanOut([{ events: [] }, { events: [], then: 'open' }]);
    const { told, report } = recordingReport();
    const reader = newReader(kinesis, clock, {}, report);
    await reader.start({ type: 'LATEST' });
    const stop = new AbortController();
    const read = reader.read(stop.signal);
    for (let i = 0; i < 200 && subscriptions.length < 2; i++) await drive(clock, new Promise((resolve) => setImmediate(resolve)));
    expect(subscriptions).toHaveLength(2);
    stop.abort();
    await read;
    await reader.close();
    expect(told).toEqual(['first', 'renewal']);
  });
});
