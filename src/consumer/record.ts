/** A user record as the consumer hands it to user code. */
export interface ConsumerRecord {
  shardId: string;
  /** Sequence number of the Kinesis record that carried it. */
  sequenceNumber: string;
  /** Index inside its aggregated record (0 when the Kinesis record was not aggregated). */
  subSequenceNumber: number;
  partitionKey: string;
  explicitHashKey?: string;
  data: Buffer;
  approximateArrivalTimestamp: Date;
}
