import { deaggregate, type DeaggregatedUserRecord } from './deaggregation.ts';
import { isEnvelope, openEnvelope } from './envelope.ts';

/** How a Kinesis record was read. */
export interface DecodedKinesisRecord {
  /** 'plain' (not aggregated), 'aggregated', or 'invalid' (an aggregate that failed its checks, passed through raw). */
  status: 'plain' | 'aggregated' | 'invalid';
  /** The record was in the framework's compression envelope. */
  compressed: boolean;
  records: DeaggregatedUserRecord[];
}

/**
 * Opens one Kinesis record as the producer wrote it: unwraps the compression envelope (inflate
 * capped at `maxInflatedBytes`), then de-aggregates the KPL format. A record in neither format
 * comes back as one plain user record. Throws an `EnvelopeError` only for a broken envelope.
 */
export function decodeKinesisRecord(
  data: Uint8Array,
  partitionKey: string,
  explicitHashKey: string | undefined,
  maxInflatedBytes: number,
): DecodedKinesisRecord {
  if (isEnvelope(data)) {
    const inflated = openEnvelope(data, { maxInflatedBytes });
    const result = deaggregate(inflated, partitionKey, explicitHashKey);
    return { status: result.status, compressed: true, records: result.records };
  }
  const result = deaggregate(data, partitionKey, explicitHashKey);
  return { status: result.status, compressed: false, records: result.records };
}
