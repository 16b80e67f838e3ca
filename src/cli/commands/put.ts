import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { CompressionCodec } from '../../codec/envelope.ts';
import { createProducer } from '../../producer/producer.ts';
import { CliUsageError } from '../args.ts';
import { defineCommand } from '../command.ts';
import { cliClients, connectionOptions } from '../connection.ts';
import { progress } from '../progress.ts';
import { streamArgument } from '../stream-argument.ts';

/**
 * `put <stream> <file> [--partition-key K | --partition-key-field F] [--compression none|deflate]`:
 * every line of the file becomes a record, through the producer (aggregation, compression when
 * asked, retries).
 */
export const putCommand = defineCommand({
  name: 'put',
  positionals: ['stream', 'file'],
  summary: 'put every non-empty line of a file as a record, through the producer',
  options: {
    'partition-key': { type: 'string', value: 'key', defaultText: 'line-<n>, n counting non-empty lines', help: 'partition key of every record' },
    'partition-key-field': { type: 'string', value: 'field', defaultText: 'none', help: 'take the key from this field of each JSON line, falling back to line-<n>' },
    compression: {
      type: 'string',
      choices: ['none', 'deflate'],
      default: 'none',
      help: 'compress aggregated records: deflate puts ~6x more JSON events through a shard, but only kinesis-actors consumers can read them',
    },
    ...connectionOptions,
  },
  async run(values, [streamArg, file]) {
    const { streamName, streamArn } = streamArgument(streamArg);
    if (values['partition-key'] !== undefined && values['partition-key-field'] !== undefined) {
      throw new CliUsageError('give --partition-key or --partition-key-field, not both');
    }
    await access(file).catch(() => {
      throw new CliUsageError(`cannot read file "${file}"`);
    });
    const field = values['partition-key-field'];
    const fixed = values['partition-key'];
    const clients = cliClients(values);
    const producer = createProducer({ ...(streamArn ? { streamArn } : { streamName }), kinesis: clients.kinesis, compression: values.compression as CompressionCodec });
    const line = progress();
    let read = 0;
    let put = 0;
    let failed = 0;
    let firstError: unknown;
    try {
      for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
        if (text.length === 0) continue;
        read++;
        let partitionKey = fixed ?? `line-${read}`;
        if (field !== undefined) {
          try {
            partitionKey = String((JSON.parse(text) as Record<string, unknown>)[field] ?? partitionKey);
          } catch {
            // not JSON: keep the line number as the key
          }
        }
        producer.put(Buffer.from(text), { partitionKey }).then(
          () => put++,
          (error: unknown) => {
            failed++;
            firstError ??= error;
          },
        );
        // The producer's backpressure ('wait' by default) holds the loop when it is full.
        if (read % 1000 === 0) {
          line.update(`${streamName}: ${read} lines read, ${put} acknowledged`);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      await producer.close();
    } finally {
      clients.destroy();
    }
    line.done(`${streamName}: ${put} of ${read} lines put${failed ? `, ${failed} failed` : ''}`);
    if (failed > 0) throw firstError;
  },
});
