import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { InvalidOptionError } from '../errors.ts';
import { integer } from '../options/validate.ts';

/**
 * Where and how to reach AWS, or an emulator standing in for it. What is left out is resolved
 * by the AWS SDK as usual: region from `AWS_REGION` or the AWS config, endpoint from
 * `AWS_ENDPOINT_URL_KINESIS` / `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL` or the region,
 * credentials from the default credential chain.
 */
export interface AwsConnection {
  /** Region; the SDK's default chain applies when absent. */
  region?: string | undefined;
  /** Endpoint URL; absent means the SDK's configured endpoint (see above), else AWS's for the region. */
  endpoint?: string | undefined;
  /**
   * Static credentials, or a credential provider such as the SDK's `fromIni()` or
   * `fromTemporaryCredentials()` (called by the SDK, which caches until expiry); absent means
   * the SDK's default credential chain.
   */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;
  /** Sockets per client, 1–256. @defaultValue 24 */
  maxConnections?: number | undefined;
  /** Milliseconds before a request is abandoned, 100–600000. @defaultValue 6000 */
  requestTimeout?: number | undefined;
}

/** Defaults of the clients the framework builds. */
export const connectionDefaults = Object.freeze({ maxConnections: 24, requestTimeout: 6000 });

/** Limits of {@link AwsConnection.maxConnections} and {@link AwsConnection.requestTimeout}. */
/** The ranges of the connection settings that the producer also takes at its top level. @internal */
export const connectionLimits = Object.freeze({ maxConnections: [1, 256], requestTimeout: [100, 600_000] } as const);

/**
 * Checks a connection given as option `field` (e.g. `connection`) and returns it frozen, or
 * undefined when none was given. Throws an {@link InvalidOptionError} naming the bad field.
 * @internal
 */
export function resolveAwsConnection(connection: AwsConnection | undefined, field: string): Readonly<AwsConnection> | undefined {
  if (connection === undefined) return undefined;
  if (connection === null || typeof connection !== 'object') throw new InvalidOptionError(field, 'must be an object', connection);
  const { region, endpoint, credentials, maxConnections, requestTimeout } = connection;
  if (region !== undefined && (typeof region !== 'string' || region === '')) throw new InvalidOptionError(`${field}.region`, 'must be a region name such as "eu-west-1"', region);
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new InvalidOptionError(`${field}.endpoint`, 'must be an http or https URL such as "http://127.0.0.1:4567"', endpoint);
    }
  }
  if (
    credentials !== undefined &&
    typeof credentials !== 'function' &&
    !(typeof credentials === 'object' && credentials !== null && typeof credentials.accessKeyId === 'string' && typeof credentials.secretAccessKey === 'string')
  ) {
    throw new InvalidOptionError(`${field}.credentials`, 'must be { accessKeyId, secretAccessKey, sessionToken? } or a credential provider function', credentials);
  }
  if (maxConnections !== undefined) integer(`${field}.maxConnections`, maxConnections, ...connectionLimits.maxConnections);
  if (requestTimeout !== undefined) integer(`${field}.requestTimeout`, requestTimeout, ...connectionLimits.requestTimeout);
  return Object.freeze({ ...connection });
}

/**
 * The connection of DynamoDB (the lease table): `dynamoDbConnection`, with what it leaves out
 * taken from `connection` — except the endpoint, which names the Kinesis endpoint there and
 * never applies to DynamoDB. Without one, the SDK's `AWS_ENDPOINT_URL_DYNAMODB`,
 * `AWS_ENDPOINT_URL` or the region's AWS endpoint applies.
 * @internal
 */
export function dynamoDbConnectionOf(connection: AwsConnection | undefined, dynamoDbConnection: AwsConnection | undefined): Readonly<AwsConnection> {
  return Object.freeze({
    region: dynamoDbConnection?.region ?? connection?.region,
    endpoint: dynamoDbConnection?.endpoint,
    credentials: dynamoDbConnection?.credentials ?? connection?.credentials,
    maxConnections: dynamoDbConnection?.maxConnections ?? connection?.maxConnections,
    requestTimeout: dynamoDbConnection?.requestTimeout ?? connection?.requestTimeout,
  });
}
