import { InvalidOptionError } from '../errors.ts';
import type { ConsumerRecord } from '../consumer/record.ts';
import { defineStage, type Stage } from '../pipeline/stage.ts';
import type { StreamItem } from '../pipeline/stream-item.ts';

/** Options of {@link parseJson}. */
export interface ParseJsonOptions {
  /** @defaultValue 'parseJson' */
  name?: string | undefined;
  /**
   * Field of the parsed object holding the event time (ms since the epoch, or an ISO string).
   * Records without it get their arrival time in Kinesis. @defaultValue none: arrival time
   */
  eventTimeField?: string | undefined;
  /** What to do with a record that is not JSON: drop it (logged at warn) or fail the batch. @defaultValue 'drop' */
  onInvalid?: 'drop' | 'fail' | undefined;
}

/**
 * The first stage of most consumer pipelines: a Kinesis record's data as parsed JSON, keyed
 * by its partition key, with its event time.
 */
export function parseJson<T = Record<string, unknown>>(options: ParseJsonOptions = {}): Stage<ConsumerRecord, StreamItem<T>> {
  const onInvalid = options.onInvalid ?? 'drop';
  if (onInvalid !== 'drop' && onInvalid !== 'fail') throw new InvalidOptionError('onInvalid', "must be 'drop' or 'fail'", onInvalid);
  const field = options.eventTimeField;
  if (field !== undefined && (typeof field !== 'string' || field.length === 0)) throw new InvalidOptionError('eventTimeField', 'must be a non-empty field name', field);
  return defineStage({
    name: options.name ?? 'parseJson',
    create: ({ logger }) => ({
      process(records) {
        const out: StreamItem<T>[] = [];
        for (const record of records) {
          let value: T;
          try {
            value = JSON.parse(record.data.toString('utf8')) as T;
          } catch (error) {
            if (onInvalid === 'fail') throw error;
            logger.warn({ err: error, sequenceNumber: record.sequenceNumber, subSequenceNumber: record.subSequenceNumber }, 'parseJson.dropped');
            continue;
          }
          out.push({
            value,
            partitionKey: record.partitionKey,
            eventTime: eventTimeOf(value, field) ?? record.approximateArrivalTimestamp.getTime(),
            source: { shardId: record.shardId, sequenceNumber: record.sequenceNumber, subSequenceNumber: record.subSequenceNumber },
          });
        }
        return out;
      },
    }),
  });
}

function eventTimeOf(value: unknown, field: string | undefined): number | undefined {
  if (field === undefined || value === null || typeof value !== 'object') return undefined;
  const raw = (value as Record<string, unknown>)[field];
  const time = typeof raw === 'number' ? raw : typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
  return Number.isFinite(time) ? time : undefined;
}
