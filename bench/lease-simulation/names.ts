/** A Kinesis shard id, as ListShards spells them. */
export const shardId = (i: number) => `shardId-${String(i).padStart(12, '0')}`;
export const workerId = (i: number) => `worker-${String(i).padStart(4, '0')}`;
