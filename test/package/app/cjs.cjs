const { createConsumer, createProducer, KinesisActorsError } = require('kinesis-actors');
const { startLocalStack, SimulatedClock } = require('kinesis-actors/testing');

console.log(JSON.stringify([createProducer, createConsumer, KinesisActorsError, startLocalStack, SimulatedClock].map((f) => typeof f)));
