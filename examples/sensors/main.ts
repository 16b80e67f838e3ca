// The anomaly-detector example: sensor readings → a consumer pipeline that compares each
// reading with its sensor's last 10 seconds → alert records on another stream.
// Run: npx tsx examples/sensors/main.ts
import { pino } from 'pino';
import { anomalyDetector, createConsumer, createProducer, defineStage, parseJson, Pipeline, pipelineProcessor, toStream, type AnomalyAlert, type ConsumerRecord, type StreamItem } from '../../src/index.ts';
import { createStream, randomName, readStream, startLocalStack } from '../../src/testing/index.ts';

type Reading = { sensorId: string; celsius: number; at: number };

const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
const stack = await startLocalStack();
const readings = randomName('readings');
const alerts = randomName('alerts');
await Promise.all([createStream(stack.kinesis, readings, 2), createStream(stack.kinesis, alerts, 1)]);

// Five sensors, one reading every 200 ms of event time for 30 s; sensor-3 spikes once.
const producer = createProducer({ streamName: readings, kinesis: stack.kinesis, logger });
const start = Date.now() - 60_000;
const puts: Promise<unknown>[] = [];
for (let i = 0; i < 150; i++) {
  for (let s = 1; s <= 5; s++) {
    const spike = s === 3 && i === 100;
    const reading: Reading = { sensorId: `sensor-${s}`, celsius: spike ? 48 : 20 + s + Math.sin(i / 5), at: start + i * 200 };
    puts.push(producer.put(reading, { partitionKey: reading.sensorId }));
  }
}
await Promise.all(puts);
await producer.close();

const alertProducer = createProducer({ streamName: alerts, kinesis: stack.kinesis, recordMaxBufferedTime: 20, logger });
let seen = 0;
const print = defineStage<StreamItem<AnomalyAlert<Reading>>, StreamItem<AnomalyAlert<Reading>>>({
  name: 'print',
  create: () => ({
    process: (items) => {
      for (const { value } of items) {
        console.log(`ALERT ${value.key}: ${value.value.toFixed(1)} °C at ${new Date(value.at).toISOString()}, ${value.deviation.toFixed(1)} from its 10 s mean ${value.mean.toFixed(1)}`);
      }
      return items;
    },
  }),
});
const count = defineStage<StreamItem<Reading>, StreamItem<Reading>>({ name: 'count', create: () => ({ process: (items) => ((seen += items.length), items) }) });
const pipeline = Pipeline.from<ConsumerRecord>()
  .pipe(parseJson<Reading>({ eventTimeField: 'at' }))
  .pipe(count)
  .pipe(anomalyDetector<Reading>({ key: (i) => i.value.sensorId, value: (i) => i.value.celsius, windowMs: 10_000, threshold: 10 }))
  .pipe(print)
  .pipe(toStream(alertProducer));
const consumer = createConsumer({
  streamName: readings,
  applicationName: randomName('sensors'),
  kinesis: stack.kinesis,
  dynamodb: stack.dynamodb,
  initialPositionInStreamExtended: 'TRIM_HORIZON',
  idleTimeBetweenReadsInMillis: 100,
  processor: pipelineProcessor(pipeline),
  logger,
});
await consumer.start();
const deadline = Date.now() + 30_000;
while (seen < 750 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
await consumer.close();
await alertProducer.close();
const onStream = (await readStream(stack.kinesis, alerts)).records.map((r) => JSON.parse(r.data.toString()) as AnomalyAlert<Reading>);
await stack.close();

const ok = seen === 750 && onStream.length === 1 && onStream[0].key === 'sensor-3' && onStream[0].value === 48;
console.log(`${ok ? 'OK' : 'FAILED'}: ${seen} readings checked, ${onStream.length} alert(s) on the alerts stream${onStream[0] ? ` (${onStream[0].key})` : ''}`);
process.exit(ok ? 0 : 1);
