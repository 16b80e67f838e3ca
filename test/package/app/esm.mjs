import { createConsumer, createProducer, KinesisActorsError } from 'kinesis-actors';
import { startLocalStack, SimulatedClock } from 'kinesis-actors/testing';

console.log(JSON.stringify([createProducer, createConsumer, KinesisActorsError, startLocalStack, SimulatedClock].map((f) => typeof f)));
