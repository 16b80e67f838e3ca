import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { sleep, type Clock } from '../internal/clock.ts';
import { KinesisActorsError } from '../errors.ts';
import { LEASE_OWNER_INDEX, LeaseTableSchemaError, translateDynamoDbError } from './lease-errors.ts';
import { LeaseAttribute } from './lease-serializer.ts';

const REQUIRED_SCHEMA = `${LeaseAttribute.leaseKey} (S) HASH`;

function describeKeySchema(table: TableDescription): string {
  const types = new Map((table.AttributeDefinitions ?? []).map((d) => [d.AttributeName, d.AttributeType]));
  const keys = (table.KeySchema ?? []).map((k) => `${k.AttributeName} (${types.get(k.AttributeName) ?? '?'}) ${k.KeyType}`);
  return keys.length === 0 ? 'none' : keys.join(', ');
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if ((error as { name?: string })?.name === 'ResourceNotFoundException') return undefined;
    throw translateDynamoDbError(error, 'DescribeTable', tableName);
  }
}

async function create(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [{ AttributeName: LeaseAttribute.leaseKey, KeyType: 'HASH' }],
        AttributeDefinitions: [
          { AttributeName: LeaseAttribute.leaseKey, AttributeType: 'S' },
          { AttributeName: LeaseAttribute.leaseOwner, AttributeType: 'S' },
        ],
        // KCL 3.x's index, as the KCL creates it: workers find the leases handed to them with a Query.
        GlobalSecondaryIndexes: [
          { IndexName: LEASE_OWNER_INDEX, KeySchema: [{ AttributeName: LeaseAttribute.leaseOwner, KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    // Another worker of the fleet created it first: fine, its schema is checked below.
    if ((error as { name?: string })?.name === 'ResourceInUseException') return;
    throw translateDynamoDbError(error, 'CreateTable', tableName);
  }
}

/**
 * Creates the lease table on demand (PAY_PER_REQUEST, hash key `leaseKey` S, with the keys-only
 * index `LeaseOwnerToLeaseKeyIndex` on `leaseOwner` as KCL 3.x makes it), waits until it
 * is ACTIVE, and refuses a table with any other key schema with a {@link LeaseTableSchemaError}.
 * Polls with a backoff from 50 ms to 2 s, so an emulator is ready at once and AWS is not
 * hammered. @internal
 */
export async function ensureLeaseTable(client: DynamoDBClient, tableName: string, clock: Clock, timeoutMillis: number): Promise<void> {
  let table = await describe(client, tableName);
  if (!table) {
    await create(client, tableName);
    table = await describe(client, tableName);
  }
  const deadline = clock.now() + timeoutMillis;
  let delay = 50;
  for (;;) {
    if (table) {
      const found = describeKeySchema(table);
      if (found !== REQUIRED_SCHEMA) throw new LeaseTableSchemaError(tableName, found, REQUIRED_SCHEMA);
      if (table.TableStatus === 'ACTIVE') return;
      if (table.TableStatus === 'DELETING' || table.TableStatus === 'ARCHIVED' || table.TableStatus === 'INACCESSIBLE_ENCRYPTION_CREDENTIALS') {
        throw new KinesisActorsError('LEASE_STORE_ERROR', `lease table ${tableName} is ${table.TableStatus}`);
      }
    }
    if (clock.now() >= deadline) {
      throw new KinesisActorsError(
        'LEASE_STORE_ERROR',
        `lease table ${tableName} did not become ACTIVE within ${timeoutMillis} ms (status ${table?.TableStatus ?? 'missing'})`,
        { retriable: true },
      );
    }
    await sleep(clock, delay);
    delay = Math.min(delay * 2, 2000);
    table = await describe(client, tableName);
  }
}
