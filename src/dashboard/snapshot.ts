/** One shard as the dashboard shows it. */
export interface ShardView {
  shardId: string;
  /** Open (no ending sequence number) or closed by a reshard. */
  open: boolean;
  /** Kinesis records and bytes per second arriving at the shard's tip; undefined while tip reads are off. */
  writeRecordsPerSec: number | undefined;
  writeBytesPerSec: number | undefined;
  /** Kinesis records seen arriving at the tip since the dashboard started. */
  writtenRecords: number;
  /**
   * User records per second processed on the shard by the consumers in this process; for a
   * deployed fleet, undefined (see {@link ShardView.readKBps}).
   */
  readRecordsPerSec: number | undefined;
  /** User records processed on the shard by the consumers in this process since the dashboard started. */
  readRecords: number;
  /** The `throughputKBps` its owner reports on the lease, when the fleet writes one. */
  readKBps: number | undefined;
  /** MillisBehindLatest of the owner's last read (in-process consumers only). */
  millisBehindLatest: number | undefined;
  /** Age of the oldest record after the checkpoint, measured on the stream; 0 when caught up. */
  checkpointLagMs: number | undefined;
  /** Milliseconds since the dashboard last saw the checkpoint change (or since it first saw it). */
  checkpointAgeMs: number | undefined;
  checkpoint: string | undefined;
  owner: string | undefined;
  leaseCounter: number | undefined;
}

/** A lease changing hands, as the dashboard observed it. */
export interface LeaseMove {
  at: number;
  shardId: string;
  from: string | undefined;
  to: string | undefined;
}

/** One worker of the consumer application. */
export interface WorkerView {
  workerId: string;
  leases: number;
  /** In-process: user records processed per second; deployed: the write rate of the shards it holds. */
  recordsPerSec: number;
  /** In-process only: checkpoint failures, restarts and records that could not be opened. */
  errors: number | undefined;
  /** Whether the figures come from the consumer itself or are derived from its leases. */
  source: 'process' | 'leases';
}

/** The producer in this process. */
export interface ProducerView {
  /** User records accepted and not yet settled: buffered, in flight or waiting to retry. */
  pending: number;
  /** Buffered per predicted shard, summed. */
  buffered: number;
  /** Pending minus buffered: in PutRecords requests or waiting to retry. */
  inFlight: number;
  /** Attempts beyond the first, summed over the records that got a final result. */
  retried: number;
  /** User records that got a final failure. */
  failed: number;
  putPerSec: number;
  put: number;
  errorsByCode: Record<string, number>;
}

/** What the page draws, sent once per interval. */
export interface DashboardSnapshot {
  at: number;
  streamName: string;
  applicationName: string;
  intervalMs: number;
  /** When the dashboard started: it knows nothing of the leases before. */
  since: number;
  /** How far back {@link DashboardSnapshot.moves} reach. */
  historyMs: number;
  shards: ShardView[];
  workers: WorkerView[];
  /** Moves inside the history window, oldest first. */
  moves: LeaseMove[];
  producer: ProducerView | undefined;
  /** What the last round could not read (the lease table not there yet, a throttled read), by source. */
  problems: string[];
}
