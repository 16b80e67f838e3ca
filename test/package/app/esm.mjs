import { createConsumer, createProducer, KinesisActorsError } from 'kinesis-actors';
import { startLocalStack, SimulatedClock } from 'kinesis-actors/testing';
import { deaggregate } from 'kinesis-actors/codec';
import { describeLeaseTable } from 'kinesis-actors/leases';
import { Supervisor } from 'kinesis-actors/supervision';

console.log(JSON.stringify([createProducer, createConsumer, KinesisActorsError, startLocalStack, SimulatedClock, deaggregate, describeLeaseTable, Supervisor].map((f) => typeof f)));
