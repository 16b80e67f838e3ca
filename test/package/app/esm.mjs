import { createConsumer, createProducer, KinesisActorsError } from 'kinesis-actors';
import { startLocalStack, SimulatedClock } from 'kinesis-actors/testing';
import { deaggregate } from 'kinesis-actors/codec';
import { describeLeaseTable } from 'kinesis-actors/leases';
import { Supervisor } from 'kinesis-actors/supervision';
import { producerPlugin } from 'kinesis-actors/fastify';
import { producerMiddleware } from 'kinesis-actors/express';

console.log(JSON.stringify([createProducer, createConsumer, KinesisActorsError, startLocalStack, SimulatedClock, deaggregate, describeLeaseTable, Supervisor, producerPlugin, producerMiddleware].map((f) => typeof f)));
