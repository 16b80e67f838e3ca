import { PutRecordCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { PeerCapture } from './click-peer-server.ts';

/**
 * The first peer: one SDK `PutRecord` per request, awaited before the 202, as most teams start.
 * A failed put fails the request (500); nothing is buffered, so there is nothing to drain.
 */
export function putRecordPeer(kinesis: KinesisClient, streamName: string): PeerCapture {
  return {
    async capture(click) {
      await kinesis.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: click.userId, Data: Buffer.from(JSON.stringify(click)) }));
    },
    close: () => Promise.resolve(),
  };
}
