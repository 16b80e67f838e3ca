import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';

const ATTEMPTS = 3;

/**
 * PutRecords as the peers write it: entries that fail are sent again until none is left, and a
 * request that fails as a whole (a reset connection, a timeout) is tried again, up to the SDK's
 * default of three attempts. The benchmark's client makes one attempt (the producer retries on
 * its own), and on the loaded machine a reset ended a whole benchmark run.
 */
export async function putAllRecords(kinesis: KinesisClient, streamName: string, entries: PutRecordsRequestEntry[]): Promise<void> {
  let pending = entries;
  let failures = 0;
  while (pending.length > 0) {
    let response;
    try {
      response = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: pending }));
    } catch (error) {
      if (++failures >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * failures));
      continue;
    }
    failures = 0;
    pending = pending.filter((_, i) => response.Records?.[i]?.ErrorCode);
  }
}
