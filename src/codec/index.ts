// `kinesis-actors/codec`: the wire format as building blocks, for readers and writers of a stream
// outside the producer and the consumer. KPL aggregation and de-aggregation, the compression
// envelope, hash keys. Everything not listed here is internal and may change.

export { encodeAggregatedRecord, AggregateSizer } from './aggregation.ts';
export type { AggregateInput } from './aggregation.ts';
export { KPL_MAGIC } from './kpl-format.ts';
export { deaggregate } from './deaggregation.ts';
export type { DeaggregationResult, DeaggregatedUserRecord } from './deaggregation.ts';
export { encodeEnvelope, openEnvelope, isEnvelope, DEFAULT_MAX_INFLATED_BYTES } from './envelope.ts';
export type { CompressionCodec } from './envelope.ts';
export { EnvelopeError } from '../errors.ts';
export { decodeKinesisRecord } from './kinesis-record.ts';
export type { DecodedKinesisRecord } from './kinesis-record.ts';
export { hashKeyOf, parseExplicitHashKey, MAX_HASH_KEY } from './hash-key.ts';
