const { createConsumer, createProducer, KinesisActorsError } = require('kinesis-actors');
const { startLocalStack, SimulatedClock } = require('kinesis-actors/testing');
const { deaggregate } = require('kinesis-actors/codec');
const { describeLeaseTable } = require('kinesis-actors/leases');
const { Supervisor } = require('kinesis-actors/supervision');
const { producerPlugin } = require('kinesis-actors/fastify');
const { producerMiddleware } = require('kinesis-actors/express');

console.log(JSON.stringify([createProducer, createConsumer, KinesisActorsError, startLocalStack, SimulatedClock, deaggregate, describeLeaseTable, Supervisor, producerPlugin, producerMiddleware].map((f) => typeof f)));
