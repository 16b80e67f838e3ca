// A fresh application's use of the building blocks, each from its subpath export: a KPL
// aggregate written and read back, a lease as the lease table holds it, a supervision strategy.
import { deaggregate, encodeAggregatedRecord, hashKeyOf, type DeaggregationResult } from 'kinesis-actors/codec';
import { describeLeaseTable, newLease, type Lease } from 'kinesis-actors/leases';
import { defaultSupervisionStrategy, type SupervisionStrategy } from 'kinesis-actors/supervision';

const aggregate = encodeAggregatedRecord({
  partitionKeys: ['user-1'],
  explicitHashKeys: [],
  records: [
    { partitionKeyIndex: 0, data: Buffer.from('a') },
    { partitionKeyIndex: 0, data: Buffer.from('b') },
  ],
});
const read: DeaggregationResult = deaggregate(aggregate, 'a');
const lease: Lease = newLease('shardId-000000000000', { checkpoint: 'TRIM_HORIZON' });
const strategy: SupervisionStrategy = { ...defaultSupervisionStrategy, maxRestarts: 3 };

console.log(
  JSON.stringify({
    status: read.status,
    records: read.records.map((r) => r.data.toString()),
    hashKey: typeof hashKeyOf('user-1'),
    lease: lease.leaseKey,
    maxRestarts: strategy.maxRestarts,
    describeLeaseTable: typeof describeLeaseTable,
  }),
);
