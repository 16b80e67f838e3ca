import { createConsumer, type Consumer, type Logger } from '../../src/index.ts';
import type { DemoStack } from './stack.ts';

/** What the demo's consumer fleet has done, for the live view and the summary. */
export interface FleetStats {
  /** Unique click ids processed, and deliveries beyond the first. */
  unique: Set<string>;
  duplicates: number;
  processedByShard: Map<string, number>;
  ownerByShard: Map<string, string>;
}

/**
 * Starts `workers` consumers of one application in this process (a fleet sharing the lease
 * table exactly as separate processes would), each counting the clicks it processes.
 */
export async function startFleet(stack: Pick<DemoStack, 'kinesis' | 'dynamodb'>, streamName: string, applicationName: string, workers: number, logger: Logger) {
  const stats: FleetStats = { unique: new Set(), duplicates: 0, processedByShard: new Map(), ownerByShard: new Map() };
  const consumers: Consumer[] = [];
  for (let w = 1; w <= workers; w++) {
    const workerId = `worker-${w}`;
    const consumer = createConsumer({
      streamName,
      applicationName,
      workerIdentifier: workerId,
      kinesis: stack.kinesis,
      dynamodb: stack.dynamodb,
      initialPositionInStreamExtended: 'TRIM_HORIZON',
      failoverTimeMillis: 6000,
      takerIntervalMs: 500,
      idleTimeBetweenReadsInMillis: 200,
      logger,
      async handler(records, { shardId }) {
        for (const r of records) {
          const id = (JSON.parse(r.data.toString()) as { eventId: string }).eventId;
          if (stats.unique.has(id)) stats.duplicates++;
          else stats.unique.add(id);
        }
        stats.processedByShard.set(shardId, (stats.processedByShard.get(shardId) ?? 0) + records.length);
      },
    });
    consumer.on('lease.taken', ({ shardId }) => stats.ownerByShard.set(shardId, workerId));
    consumer.on('lease.lost', ({ shardId }) => {
      if (stats.ownerByShard.get(shardId) === workerId) stats.ownerByShard.set(shardId, '-');
    });
    consumers.push(consumer);
  }
  await Promise.all(consumers.map((c) => c.start()));
  return {
    stats,
    consumers,
    /** Drains one worker: its final checkpoints, its leases released for the others to take. */
    drain: (workerId: string) => consumers.find((c) => c.workerIdentifier === workerId)!.close(),
    /** Drains every worker: final checkpoints, leases released. */
    close: () => Promise.all(consumers.map((c) => c.close())),
  };
}
