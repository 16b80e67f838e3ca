import { describe, expect, it } from 'vitest';
import { dynamoDbConnectionOf, resolveAwsConnection } from '../../../src/aws/connection.ts';
import { foreignAnswer, requireDynamoDbEndpoint } from '../../../src/aws/wrong-endpoint.ts';
import { resolveConsumerOptions } from '../../../src/consumer/options.ts';
import { resolveProducerOptions } from '../../../src/producer/options.ts';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('connection options', () => {
  it('takes static credentials or a credential provider, and names the field it refuses', () => {
    const provider = async () => credentials;
    expect(resolveAwsConnection({ credentials: provider }, 'connection')?.credentials).toBe(provider);
    expect(resolveAwsConnection({ credentials }, 'connection')?.credentials).toEqual(credentials);
    expect(() => resolveAwsConnection({ credentials: { accessKeyId: 'x' } as never }, 'connection')).toThrow(
      'options.connection.credentials must be { accessKeyId, secretAccessKey, sessionToken? } or a credential provider function (got object)',
    );
    expect(() => resolveAwsConnection({ endpoint: 'localhost:4567' }, 'dynamoDbConnection')).toThrow('options.dynamoDbConnection.endpoint must be an http or https URL');
    expect(() => resolveAwsConnection({ maxConnections: 0 }, 'connection')).toThrow('options.connection.maxConnections must be an integer from 1 to 256 (got 0)');
    expect(() => resolveAwsConnection({ requestTimeout: 10 }, 'connection')).toThrow('options.connection.requestTimeout must be an integer from 100 to 600000 (got 10)');
  });

  it("gives DynamoDB what its own connection leaves out from connection, except connection's endpoint", () => {
    const connection = { region: 'eu-west-1', endpoint: 'http://127.0.0.1:4567', credentials, maxConnections: 4, requestTimeout: 3000 };
    expect(dynamoDbConnectionOf(connection, undefined)).toEqual({ region: 'eu-west-1', endpoint: undefined, credentials, maxConnections: 4, requestTimeout: 3000 });
    expect(dynamoDbConnectionOf(connection, { endpoint: 'http://127.0.0.1:4568', maxConnections: 2 })).toMatchObject({ endpoint: 'http://127.0.0.1:4568', maxConnections: 2, region: 'eu-west-1' });
    const resolved = resolveConsumerOptions({ streamName: 's', applicationName: 'app', connection, async handler() {} });
    expect(resolved.dynamoDbConnection.endpoint).toBeUndefined();
    expect(resolved.connection?.endpoint).toBe('http://127.0.0.1:4567');
  });

  it("holds one value for the producer's maxConnections and requestTimeout, whether given at the top or in connection", () => {
    expect(resolveProducerOptions({ streamName: 's' }).connection).toMatchObject({ maxConnections: 24, requestTimeout: 6000 });
    const inConnection = resolveProducerOptions({ streamName: 's', connection: { maxConnections: 3, requestTimeout: 4321 } });
    expect(inConnection).toMatchObject({ maxConnections: 3, requestTimeout: 4321, connection: { maxConnections: 3, requestTimeout: 4321 } });
    const topLevel = resolveProducerOptions({ streamName: 's', maxConnections: 5, requestTimeout: 2345 });
    expect(topLevel.connection).toMatchObject({ maxConnections: 5, requestTimeout: 2345 });
    expect(resolveProducerOptions({ streamName: 's', maxConnections: 5, connection: { maxConnections: 5 } }).maxConnections).toBe(5);
    expect(() => resolveProducerOptions({ streamName: 's', maxConnections: 5, connection: { maxConnections: 6 } })).toThrow(
      'options.maxConnections and options.connection.maxConnections (6) are the same setting: give one value (got 5)',
    );
    expect(() => resolveProducerOptions({ streamName: 's', connection: { requestTimeout: 99 } })).toThrow('options.connection.requestTimeout must be an integer from 100 to 600000 (got 99)');
  });
});

describe('endpoints that are not the service', () => {
  it("recognizes answers that are not the service's own", () => {
    const sdk = (name: string, status: number, message = '') => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
    expect(foreignAnswer(sdk('SyntaxError', 404, 'Unexpected token'))).toBeDefined();
    expect(foreignAnswer(sdk('SyntaxError', 200, 'Unexpected token \'h\'\n  Deserialization error: ...'))).toBeDefined();
    expect(foreignAnswer(new Error('wrapped', { cause: sdk('UnknownOperationException', 400) }))).toBeDefined();
    expect(foreignAnswer(sdk('ResourceNotFoundException', 400))).toBeUndefined();
    expect(foreignAnswer(sdk('InternalServerError', 500))).toBeUndefined();
    expect(foreignAnswer(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeUndefined();
  });

  it('asks for a DynamoDB endpoint only when Kinesis has one outside AWS', () => {
    const none = { service: 'DynamoDB', url: undefined, source: 'no endpoint setting' } as const;
    const emulator = { service: 'Kinesis', url: 'http://127.0.0.1:4567', source: 'options.connection.endpoint' } as const;
    expect(() => requireDynamoDbEndpoint(emulator, none)).toThrow(/^DynamoDB has no endpoint while Kinesis has http:\/\/127\.0\.0\.1:4567 \(from options\.connection\.endpoint\)/);
    expect(() => requireDynamoDbEndpoint({ ...emulator, url: 'https://kinesis.eu-west-1.amazonaws.com' }, none)).not.toThrow();
    expect(() => requireDynamoDbEndpoint({ ...emulator, url: undefined }, none)).not.toThrow();
    expect(() => requireDynamoDbEndpoint(emulator, { ...none, url: 'http://127.0.0.1:4568' })).not.toThrow();
  });
});
