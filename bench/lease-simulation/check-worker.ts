import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Clock } from '../../src/internal/clock.ts';
import { PeriodicTask } from '../../src/internal/periodic-task.ts';
import { LeaseCoordinator } from '../../src/leases/lease-coordinator.ts';
import type { LeaseStore } from '../../src/leases/lease-store.ts';
import { seededRandom } from './seeded-random.ts';
import { silentLogger } from './silent-logger.ts';

/** The consumer's coordinator settings, as the simulator's framework fleet runs them. */
export const CHECK_SETTINGS = Object.freeze({
  failoverTimeMillis: 10_000,
  takerIntervalMs: 1000,
  throughputImbalanceThreshold: 1.2,
  /** Each worker's shard sync lists the leases this often (its ListShards is Kinesis's, not billed here). */
  shardSyncIntervalMs: 60_000,
  /** KB/s every shard carries: the simulator's `ShardLoad` default. */
  shardKBps: 100,
});

/**
 * The real fleet's DynamoDB client: the SDK's, over HTTP/1.1 keep-alive as `createDynamoDbClient`
 * makes it, but patient. One dynalite serves the whole fleet, slowly on a busy machine: a
 * minute to connect and to answer rather than 5 and 6 s, so a slow request is late, not failed
 * and sent again (a repeated write is billed twice and fails its condition).
 */
export function checkClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 24 }), requestTimeout: 60_000, connectionTimeout: 60_000 }),
  });
}

/** One worker of the check's fleet, the same code on the virtual clock and in a real process. */
export interface CheckWorker {
  start(): void;
  /** Graceful shutdown: the coordinator releases its leases. */
  drain(): Promise<void>;
  /** As a crash: nothing more is written. */
  kill(): Promise<void>;
}

/**
 * A real {@link LeaseCoordinator} with the consumer's settings over `store`, plus what the
 * consumer adds to the lease table's bill: a shard-sync Scan every 60 s, and the bytes each
 * held shard reads (recorded every second, written as `throughputKBps` with the renewals).
 */
export function checkWorker(store: LeaseStore, clock: Clock, workerId: string, seed: number): CheckWorker {
  const { shardSyncIntervalMs, shardKBps, ...settings } = CHECK_SETTINGS;
  const coordinator = new LeaseCoordinator(store, { ...settings, workerIdentifier: workerId, clock, logger: silentLogger, random: seededRandom(seed) });
  const shardSync = new PeriodicTask(clock, shardSyncIntervalMs, () => store.listLeases().then(() => undefined, () => undefined));
  const reading = new PeriodicTask(clock, 1000, async () => {
    for (const lease of coordinator.heldLeases()) coordinator.leaseHandle(lease.leaseKey).recordBytes?.(shardKBps * 1024);
  });
  const stopTasks = () => Promise.all([shardSync.stop(), reading.stop()]);
  return {
    start() {
      shardSync.start();
      reading.start();
      void coordinator.start().catch(() => undefined);
    },
    async drain() {
      await stopTasks();
      await coordinator.close();
    },
    async kill() {
      await stopTasks();
      await coordinator.stop();
    },
  };
}
