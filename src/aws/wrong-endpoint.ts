import { KinesisActorsError } from '../errors.ts';
import { endpointVariables, type AwsService, type ServiceEndpoint } from './endpoints.ts';

/** Where each service's endpoint is set, as a message tells the user. */
const settings: Readonly<Record<AwsService, string>> = Object.freeze({
  Kinesis: `options.connection.endpoint or ${endpointVariables.Kinesis}`,
  DynamoDB: `options.dynamoDbConnection.endpoint or ${endpointVariables.DynamoDB} (options.connection.endpoint is for Kinesis only)`,
});

/**
 * A service's endpoint is not that service: it answered like something else (an emulator of
 * another service, a web server), or DynamoDB has no endpoint while Kinesis has an emulator's.
 * The message names the endpoint, the setting it came from, and the settings that fix it.
 * Never retriable.
 */
export class WrongEndpointError extends KinesisActorsError {
  readonly service: AwsService;
  readonly endpoint: string | undefined;

  constructor(endpoint: ServiceEndpoint, problem: string, cause?: unknown) {
    super('WRONG_ENDPOINT', `${problem}: set ${endpoint.service === 'DynamoDB' ? 'the lease table\'s DynamoDB endpoint' : 'the Kinesis endpoint'} in ${settings[endpoint.service]}`, { cause });
    this.name = 'WrongEndpointError';
    this.service = endpoint.service;
    this.endpoint = endpoint.url;
  }
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * The SDK error inside `error` (itself or a cause) that shows the endpoint is not an AWS
 * service speaking the protocol: a body that is not the service's JSON (the SDK's
 * deserialization error), HTTP 404 or 405 (an AWS JSON API answers every operation on `/`),
 * or an unknown operation. Undefined otherwise.
 * @internal
 */
export function foreignAnswer(error: unknown): SdkErrorShape | undefined {
  let e = error as SdkErrorShape | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++, e = e.cause as SdkErrorShape | undefined) {
    const status = e.$metadata?.httpStatusCode;
    if (e.name === 'UnknownOperationException') return e;
    if (e.$metadata && (e.name === 'SyntaxError' || /Deserialization error/.test(e.message ?? ''))) return e;
    if (status === 404 || status === 405) return e;
  }
  return undefined;
}

/**
 * The {@link WrongEndpointError} for an error that shows `endpoint` answered like something
 * else, or undefined.
 * @internal
 */
export function wrongEndpointError(endpoint: ServiceEndpoint, error: unknown): WrongEndpointError | undefined {
  const answer = foreignAnswer(error);
  if (answer === undefined) return undefined;
  const status = answer.$metadata?.httpStatusCode;
  const detail = `${status ? `HTTP ${status}: ` : ''}${(answer.message ?? answer.name ?? '').split('\n')[0].slice(0, 100)}`;
  const where = endpoint.url ? `${endpoint.url} (from ${endpoint.source})` : `the AWS endpoint of the region`;
  return new WrongEndpointError(endpoint, `${endpoint.service} at ${where} answered like something else (${detail})`, error);
}

/**
 * Throws when Kinesis has an endpoint of its own outside AWS (an emulator, most likely) but
 * DynamoDB has none: the lease table would be looked for in AWS, with the emulator's credentials.
 * @internal
 */
export function requireDynamoDbEndpoint(kinesis: ServiceEndpoint, dynamodb: ServiceEndpoint): void {
  if (kinesis.url === undefined || dynamodb.url !== undefined || isAwsHost(kinesis.url)) return;
  throw new WrongEndpointError(dynamodb, `DynamoDB has no endpoint while Kinesis has ${kinesis.url} (from ${kinesis.source}), so the lease table would be looked for in AWS`);
}

function isAwsHost(url: string): boolean {
  try {
    return /\.amazonaws\.com(\.cn)?$/.test(new URL(url).hostname);
  } catch {
    return false;
  }
}
