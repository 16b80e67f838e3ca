/**
 * What the consumer costs in CPU per user record, beside the GetRecords + aws-kinesis-agg peer:
 * each reads a pre-filled 4-shard stream (the consumer: click events in deflate envelopes, one
 * worker, no-op handler, checkpointed; the peer: the same events in plain KPL aggregates, which
 * the consumer also reads, for a comparison on the same bytes) in a child process of its own
 * (`consumer-cpu-child.ts`), against the embedded Kinesis and DynamoDB of this process, so the
 * emulators' CPU is not the reader's.
 *
 *   npx tsx bench/consumer-cpu.ts [--events 400000] [--runs 3] [--cpu-prof <dir>]
 *
 * --cpu-prof: each child also writes a V8 CPU profile (`node --cpu-prof`) of its main thread
 * into <dir>. BENCH_DEBUG=1 prints each thread's CPU, in creation order, to stderr.
 */
import { parseArgs } from 'node:util';
import { DynamoDbLeaseStore } from '../src/leases/index.ts';
import { randomName, startLocalStack, type LocalStack } from '../src/testing/index.ts';
import { runJsonChild } from './child.ts';
import { produceClicks } from './consumer.ts';
import { PINNED_THREAD_ARGS, PINNED_THREAD_ENV, type ThreadGroup } from './thread-cpu.ts';

type Group = ThreadGroup | 'ended' | 'total';
/** What one child reports. */
interface ReaderRun {
  recordsPerSec: number;
  recordsPerCoreSec: number;
  cpuUsPerRecord: Record<Group, number>;
}

/** The groups of threads reported, in the order of the table. */
const GROUPS: Group[] = ['total', 'main', 'v8Workers', 'libuv', 'later', 'nodeInternal', 'ended'];
/** Each reader: the prefix of its figures, the stream it reads (compression) and how (the child's mode). */
const READERS = {
  consumer: { prefix: 'consumer', compression: 'deflate', mode: 'consumer' },
  consumerKpl: { prefix: 'consumer.kplFormat', compression: 'none', mode: 'consumer' },
  peer: { prefix: 'peer.getRecordsAgg', compression: 'none', mode: 'peer' },
} as const;
type Reader = keyof typeof READERS;

function runReader(stack: LocalStack, reader: Reader, streamName: string, applicationName: string, events: number, cpuProfDir: string | undefined): Promise<ReaderRun> {
  return runJsonChild<ReaderRun>('./consumer-cpu-child.ts', [READERS[reader].mode, streamName, applicationName, events], {
    nodeArgs: [...PINNED_THREAD_ARGS, ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [])],
    env: { ...PINNED_THREAD_ENV, KINESIS_ENDPOINT: stack.kinesisEndpoint, DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint! },
  });
}

/**
 * One run: the figures of the consumer (on deflate envelopes, and on the peer's plain KPL
 * aggregates) and of the peer, flat, as `repeated` in run.ts takes medians of. The readers take
 * turns at going first.
 */
export async function runConsumerCpu(stack: LocalStack, events: number, run: number, cpuProfDir?: string): Promise<Record<string, number>> {
  const streams = {
    deflate: await produceClicks(stack, events, { compression: 'deflate' }),
    none: await produceClicks(stack, events, { compression: 'none' }),
  };
  const readers = Object.keys(READERS) as Reader[];
  const order = readers.map((_, i) => readers[(i + run) % readers.length]);
  const figures: Record<string, number> = {};
  for (const reader of order) {
    // A deployed application's lease table exists before its workers start: created beforehand, not timed.
    const applicationName = randomName('bench-app');
    if (READERS[reader].mode === 'consumer') await new DynamoDbLeaseStore(stack.dynamodb!, applicationName).ensureTable();
    const stream = streams[READERS[reader].compression];
    const { recordsPerSec, recordsPerCoreSec, cpuUsPerRecord } = await runReader(stack, reader, stream, applicationName, events, cpuProfDir);
    figures[`${reader}.recordsPerSec`] = recordsPerSec;
    figures[`${reader}.recordsPerCoreSec`] = recordsPerCoreSec;
    for (const group of GROUPS) figures[`${reader}.us.${group}`] = cpuUsPerRecord[group];
  }
  return figures;
}

/** Medians and spreads of {@link runConsumerCpu}'s figures, as run.ts's `repeated` gives them. */
export interface RepeatedConsumerCpu {
  median: Record<string, number>;
  spread: Record<string, [number, number]>;
}

/** The latest.json entries: records/s of the process, records per second of its CPU, µs of CPU per record by thread group. */
export function consumerCpuEntries(r: RepeatedConsumerCpu, settings: { events: number; runs: number }): Record<string, unknown> {
  const entries: Record<string, unknown> = {
    'consumerCpu.settings': { ...settings, shards: 4, emulator: 'kinesalite, in the parent process; each reader in a process of its own' },
  };
  const put = (name: string, key: string) => Object.assign(entries, { [name]: r.median[key], [`${name}.spread`]: r.spread[key] });
  for (const [reader, { prefix }] of Object.entries(READERS)) {
    put(`${prefix}.recordsPerCoreSec`, `${reader}.recordsPerCoreSec`);
    put(`${prefix}.ownProcess.recordsPerSec`, `${reader}.recordsPerSec`);
    for (const group of GROUPS) put(`${prefix}.cpuUsPerRecord.${group}`, `${reader}.us.${group}`);
  }
  return entries;
}

/** The table rows of {@link consumerCpuEntries}. */
export function consumerCpuRows(results: Record<string, unknown>): string {
  const cell = (name: string) => `${results[name] as number} (${(results[`${name}.spread`] as number[]).join('–')})`;
  const perThread = (prefix: string) => GROUPS.filter((g) => g !== 'total').map((g) => `${g} ${results[`${prefix}.cpuUsPerRecord.${g}`] as number}`).join(', ');
  const ratio = (name: string) => ((results[name] as number) / (results['peer.getRecordsAgg.recordsPerCoreSec'] as number)).toFixed(1);
  return [
    `| consumer.recordsPerCoreSec (own process, records per second of its CPU) | ${cell('consumer.recordsPerCoreSec')} | ${ratio('consumer.recordsPerCoreSec')}x the GetRecords + aws-kinesis-agg loop |`,
    `| consumer.kplFormat.recordsPerCoreSec (the same consumer on the peer's plain KPL aggregates) | ${cell('consumer.kplFormat.recordsPerCoreSec')} | ${ratio('consumer.kplFormat.recordsPerCoreSec')}x the loop |`,
    `| peer.getRecordsAgg.recordsPerCoreSec | ${cell('peer.getRecordsAgg.recordsPerCoreSec')} | |`,
    `| consumer.ownProcess.recordsPerSec / peer's | ${cell('consumer.ownProcess.recordsPerSec')} / ${cell('peer.getRecordsAgg.ownProcess.recordsPerSec')} | |`,
    `| consumer.cpuUsPerRecord.total (by thread: µs per record) | ${cell('consumer.cpuUsPerRecord.total')} | ${perThread('consumer')} |`,
    `| consumer.kplFormat.cpuUsPerRecord.total | ${cell('consumer.kplFormat.cpuUsPerRecord.total')} | ${perThread('consumer.kplFormat')} |`,
    `| peer.getRecordsAgg.cpuUsPerRecord.total | ${cell('peer.getRecordsAgg.cpuUsPerRecord.total')} | ${perThread('peer.getRecordsAgg')} |`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { events: { type: 'string', default: '400000' }, runs: { type: 'string', default: '3' }, 'cpu-prof': { type: 'string' } },
  });
  const events = Number(values.events);
  const runs = Number(values.runs);
  const stack = await startLocalStack();
  try {
    const results: Record<string, number>[] = [];
    for (let run = 0; run < runs; run++) {
      results.push(await runConsumerCpu(stack, events, run, values['cpu-prof']));
      console.error(`run ${run + 1}/${runs}: ${JSON.stringify(results.at(-1))}`);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const keys = Object.keys(results[0]);
    const repeated: RepeatedConsumerCpu = {
      median: Object.fromEntries(keys.map((k) => [k, median(results.map((r) => r[k]))])),
      spread: Object.fromEntries(keys.map((k) => [k, [Math.min(...results.map((r) => r[k])), Math.max(...results.map((r) => r[k]))] as [number, number]])),
    };
    console.log(consumerCpuRows(consumerCpuEntries(repeated, { events, runs })));
  } finally {
    await stack.close();
  }
}
