import { KinesisActorsError } from '../errors.ts';
import type { AwsService, ServiceEndpoint } from '../aws/endpoints.ts';
import { wrongEndpointError } from '../aws/wrong-endpoint.ts';
import type { InitializationStep } from './initialization.ts';

/** What the messages of initialization failures name. @internal */
export interface InitializationContext {
  streamName: string;
  endpoints: Readonly<Record<AwsService, ServiceEndpoint>>;
}

/**
 * Which failures of a consumer's initialization end it at once, and with what error: anything
 * that is not a retriable framework error (a programming error, a lease table with the wrong
 * schema, missing permissions); an endpoint that answers like another service
 * (`WRONG_ENDPOINT`, naming the setting to fix); and a stream that does not exist, which
 * Kinesis reports as retriable because it may be in creation but which a starting worker has
 * no reason to wait for. Undefined means the step may be tried again.
 * @internal
 */
export function fatalInitializationError(step: InitializationStep, error: unknown, context: InitializationContext): Error | undefined {
  const { streamName, endpoints } = context;
  if (!(error instanceof KinesisActorsError)) return error instanceof Error ? error : new Error(String(error));
  const wrongEndpoint = wrongEndpointError(error.code === 'LEASE_STORE_ERROR' ? endpoints.DynamoDB : endpoints.Kinesis, error);
  if (wrongEndpoint) return wrongEndpoint;
  if (error.code === 'STREAM_NOT_FOUND') {
    return new KinesisActorsError(
      'STREAM_NOT_FOUND',
      `stream ${JSON.stringify(streamName)} does not exist (${step}: ${error.message}): create it, or check options.streamName and the region or endpoint of options.connection`,
      { cause: error },
    );
  }
  return error.retriable ? undefined : error;
}
