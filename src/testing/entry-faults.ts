import type { ShardWriteLimiter } from './token-bucket.ts';
import { type OpenShards, type PartitionKeyCache, type StreamShards } from './stream-shards.ts';

/** One PutRecords entry (or a PutRecord input) as the SDK sends it. */
export interface PutEntry {
  Data: string;
  PartitionKey: string;
  ExplicitHashKey?: string;
}

/** One entry of a PutRecords answer. */
export interface PutResultEntry {
  SequenceNumber?: string;
  ShardId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

/** What the proxy decided for the entries of one request. */
export interface EntryVerdicts {
  /** Per entry, the injected error, or undefined to forward it. */
  errors: (PutResultEntry | undefined)[];
  /** Per entry, the shard the proxy's map predicts, when it throttled by shard. */
  predicted: (string | undefined)[] | undefined;
  throttled: number;
  failed: number;
}

/** Everything that decides entry faults. @internal */
export interface EntryJudge {
  random: () => number;
  entryFailureRate: number;
  limiter: ShardWriteLimiter | undefined;
  shards: StreamShards;
  keys: PartitionKeyCache;
  now: () => number;
}

const ACCOUNT = '000000000000';

/** The stream a request names, by StreamName or by the name at the end of StreamARN. */
export function streamNameOf(input: { StreamName?: unknown; StreamARN?: unknown }): string | undefined {
  if (typeof input.StreamName === 'string') return input.StreamName;
  if (typeof input.StreamARN === 'string') return input.StreamARN.slice(input.StreamARN.indexOf(':stream/') + 8);
  return undefined;
}

/** The message real Kinesis gives a throttled entry. */
function throttleMessage(shardId: string, streamName: string): string {
  return `Rate exceeded for shard ${shardId} in stream ${streamName} under account ${ACCOUNT}.`;
}

function hashKeyOf(entry: PutEntry, keys: PartitionKeyCache): bigint | undefined {
  if (entry.ExplicitHashKey === undefined) return keys.get(entry.PartitionKey).hashKey;
  try {
    return BigInt(entry.ExplicitHashKey);
  } catch {
    return undefined; // invalid: the upstream rejects the request
  }
}

function dataBytes(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - padding;
}

/**
 * Decides, entry by entry and in order, which entries fail with an injected InternalFailure
 * (one draw per entry while `entryFailureRate` is above 0) and which the shard's token buckets
 * refuse. Entries whose shard cannot be told (unknown stream, invalid hash key) are left to the
 * upstream to judge.
 */
export async function judgeEntries(
  judge: EntryJudge,
  streamName: string | undefined,
  entries: readonly PutEntry[],
  auth: Readonly<Record<string, string>>,
): Promise<EntryVerdicts> {
  const verdicts: EntryVerdicts = { errors: new Array(entries.length), predicted: undefined, throttled: 0, failed: 0 };
  const { random, entryFailureRate, limiter, keys } = judge;
  if (entryFailureRate > 0) {
    for (let i = 0; i < entries.length; i++) {
      if (random() < entryFailureRate) {
        verdicts.errors[i] = { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' };
        verdicts.failed++;
      }
    }
  }
  if (limiter === undefined || streamName === undefined) return verdicts;
  let shards: OpenShards;
  try {
    shards = await judge.shards.get(streamName, auth);
  } catch {
    return verdicts;
  }
  let refreshed = false;
  const now = judge.now();
  const predicted: (string | undefined)[] = (verdicts.predicted = new Array(entries.length));
  for (let i = 0; i < entries.length; i++) {
    if (verdicts.errors[i] !== undefined) continue;
    const entry = entries[i];
    if (typeof entry.PartitionKey !== 'string' || typeof entry.Data !== 'string') continue; // the upstream rejects it
    const hashKey = hashKeyOf(entry, keys);
    if (hashKey === undefined) continue;
    let shard = shards.shardFor(hashKey);
    if (shard === undefined && !refreshed) {
      refreshed = true;
      shards = await judge.shards.refresh(streamName, auth).catch(() => shards);
      shard = shards.shardFor(hashKey);
    }
    if (shard === undefined) continue;
    predicted[i] = shard.shardId;
    const keyBytes = entry.ExplicitHashKey === undefined ? keys.get(entry.PartitionKey).bytes : Buffer.byteLength(entry.PartitionKey);
    const bytes = dataBytes(entry.Data) + keyBytes;
    if (!limiter.tryAdmit(streamName, shard.shardId, bytes, now)) {
      verdicts.errors[i] = { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: throttleMessage(shard.shardId, streamName) };
      verdicts.throttled++;
    }
  }
  return verdicts;
}

/**
 * Puts the upstream's answers for the forwarded entries back among the injected errors, in
 * the original order. `mispredicted` is true when the upstream placed an entry on another shard
 * than the proxy's map said (the map is stale: resharding, or a stream recreated).
 */
export function mergeResults(
  verdicts: EntryVerdicts,
  upstream: readonly PutResultEntry[],
): { records: PutResultEntry[]; failedRecordCount: number; accepted: number; mispredicted: boolean } {
  const records: PutResultEntry[] = new Array(verdicts.errors.length);
  let next = 0;
  let failedRecordCount = 0;
  let accepted = 0;
  let mispredicted = false;
  for (let i = 0; i < records.length; i++) {
    const injected = verdicts.errors[i];
    const result = injected ?? upstream[next++];
    records[i] = result;
    if (result.ErrorCode !== undefined) failedRecordCount++;
    else {
      accepted++;
      const predicted = verdicts.predicted?.[i];
      if (predicted !== undefined && predicted !== result.ShardId) mispredicted = true;
    }
  }
  return { records, failedRecordCount, accepted, mispredicted };
}
