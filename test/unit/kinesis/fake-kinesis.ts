import type { KinesisApi } from '../../../src/kinesis/kinesis-api.ts';

const unused = () => Promise.reject(new Error('not expected by this test'));

/** A fake of the Kinesis boundary: the operations given, every other one rejects. */
export function fakeKinesisApi(operations: Partial<KinesisApi>): KinesisApi {
  return {
    putRecords: unused,
    listShards: unused,
    getShardIterator: unused,
    getRecords: unused,
    describeStreamSummary: unused,
    createStream: unused,
    registerStreamConsumer: unused,
    describeStreamConsumer: unused,
    listStreamConsumers: unused,
    deregisterStreamConsumer: unused,
    subscribeToShard: unused,
    ...operations,
  };
}
