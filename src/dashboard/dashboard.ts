import { createDynamoDbClient, createKinesisClient } from '../aws/clients.ts';
import { systemClock } from '../internal/clock.ts';
import { defaultLogger } from '../internal/logger.ts';
import { PeriodicTask } from '../internal/periodic-task.ts';
import { SdkKinesisApi } from '../kinesis/sdk-kinesis-api.ts';
import { DynamoDbLeaseStore } from '../leases/dynamodb-lease-store.ts';
import { LeaseTableSource } from './lease-source.ts';
import { resolveDashboardOptions, type DashboardOptions } from './options.ts';
import { ProcessSource } from './process-source.ts';
import { startDashboardServer } from './server.ts';
import { SnapshotBuilder } from './snapshot-builder.ts';
import type { DashboardSnapshot } from './snapshot.ts';
import { StreamSource } from './stream-source.ts';

/** A running dashboard. */
export interface Dashboard {
  /** Where the page is, e.g. `http://127.0.0.1:8080/`. */
  readonly url: string;
  readonly port: number;
  /** The snapshot the page shows now. */
  snapshot(): DashboardSnapshot;
  /** Stops reading the sources, closes the open pages' streams and the server; idempotent. */
  close(): Promise<void>;
}

/**
 * Serves a live dashboard of a stream and its consumer application: per shard the write rate
 * (read at the tip), the read rate, lag, checkpoint age, owner and lease moves; per worker its
 * records/s and errors; the producer's buffered, in-flight, retried and failed records. Consumers
 * and a producer of this process are followed through their metrics and events; every other
 * worker of the application through the lease table. Resolves once the first round is read and
 * the server listens; rejects when the stream cannot be listed (and then closes what it opened).
 *
 * @example
 * const dashboard = await startDashboard({ streamName: 'clicks', applicationName: 'click-counter', consumers: consumer, producer, port: 8080 });
 * console.log(`dashboard at ${dashboard.url}`);
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const o = resolveDashboardOptions(options);
  const logger = (o.logger ?? defaultLogger()).child({ component: 'dashboard', streamName: o.streamName, applicationName: o.applicationName });
  const owned: { destroy(): void }[] = [];
  const kinesisClient = o.kinesis ?? createKinesisClient();
  if (!o.kinesis) owned.push(kinesisClient);
  const dynamodb = o.dynamodb ?? createDynamoDbClient();
  if (!o.dynamodb) owned.push(dynamodb);

  const leases = new LeaseTableSource(new DynamoDbLeaseStore(dynamodb, o.leaseTableName), o.historyMs);
  const stream = new StreamSource(new SdkKinesisApi(kinesisClient), o.streamName, o);
  const inProcess = new ProcessSource(o.consumers, o.producer, (move) => leases.recordMove(move));
  const builder = new SnapshotBuilder({ streamName: o.streamName, applicationName: o.applicationName, intervalMs: o.intervalMs, historyMs: o.historyMs, since: Date.now() });
  let latest: DashboardSnapshot | undefined;
  let server: Awaited<ReturnType<typeof startDashboardServer>> | undefined;

  const round = async (): Promise<DashboardSnapshot> => {
    const now = Date.now();
    const problems = await stream.poll(now);
    try {
      await leases.poll(now);
    } catch (error) {
      problems.push(`lease table '${o.leaseTableName}': ${(error as Error).message}`);
    }
    const view = leases.view(now);
    await stream.probeLag(new Map(view.leases.map((l) => [l.shardId, l.checkpoint])), now);
    return builder.build({
      now,
      streamShards: stream.view(),
      readTip: o.readTip,
      leases: view.leases,
      moves: view.moves,
      reads: inProcess.reads(now),
      workers: inProcess.workers(now),
      producer: inProcess.producerView(now),
      problems,
    });
  };
  const release = async () => {
    inProcess.close();
    await server?.close();
    for (const client of owned) client.destroy();
  };

  try {
    latest = await round();
    server = await startDashboardServer(o);
  } catch (error) {
    await release();
    throw error;
  }
  server.publish(latest);
  const task = new PeriodicTask(systemClock, o.intervalMs, async () => {
    try {
      latest = await round();
    } catch (error) {
      // The stream could not be listed this round: the page keeps the last figures and says why.
      logger.warn({ err: error }, 'dashboard.roundFailed');
      latest = { ...latest!, problems: [`stream '${o.streamName}': ${(error as Error).message}`] };
    }
    server!.publish(latest);
  });
  task.start();
  logger.info({ url: server.url }, 'dashboard.started');

  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    port: server.port,
    snapshot: () => latest!,
    close: () =>
      (closing ??= (async () => {
        await task.stop();
        await release();
      })()),
  };
}
