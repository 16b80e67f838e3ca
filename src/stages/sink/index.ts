// The delivery sink stage: buffer items into newline-delimited objects, as Firehose delivers to S3.
export { deliverySink } from './delivery-sink.ts';
export { directoryDestination } from './directory-destination.ts';
export type { SinkDestination } from './destination.ts';
export { SinkDeliveryError } from './errors.ts';
export { deliverySinkDefaults } from './options.ts';
export type { DeliverySinkOptions, SinkCompression, SinkSerializer } from './options.ts';
