const { createConsumer, createProducer, KinesisActorsError } = require('kinesis-actors');
const { startLocalStack, SimulatedClock } = require('kinesis-actors/testing');
const { deaggregate } = require('kinesis-actors/codec');
const { describeLeaseTable } = require('kinesis-actors/leases');
const { Supervisor } = require('kinesis-actors/supervision');

console.log(JSON.stringify([createProducer, createConsumer, KinesisActorsError, startLocalStack, SimulatedClock, deaggregate, describeLeaseTable, Supervisor].map((f) => typeof f)));
