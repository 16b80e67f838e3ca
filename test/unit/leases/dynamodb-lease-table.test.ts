import { describe, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureLeaseTable } from '../../../src/leases/dynamodb-lease-table.ts';
import { DynamoDbLeaseStore } from '../../../src/leases/dynamodb-lease-store.ts';
import { SimulatedClock } from '../../../src/testing/simulated-clock.ts';
import { flush } from './helpers.ts';

const kclTable = (TableStatus: string) => ({
  Table: {
    TableStatus,
    KeySchema: [{ AttributeName: 'leaseKey', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'leaseKey', AttributeType: 'S' }],
  },
});

/** A DynamoDB client answering DescribeTable from a script, and recording the commands sent. */
function fakeClient(describes: Array<object | 'missing'>) {
  const sent: string[] = [];
  const client = {
    send: async (command: { constructor: { name: string } }) => {
      const name = command.constructor.name;
      sent.push(name);
      if (name === 'CreateTableCommand') return {};
      const next = describes.length > 1 ? describes.shift()! : describes[0];
      if (next === 'missing') throw Object.assign(new Error('no table'), { name: 'ResourceNotFoundException' });
      return next;
    },
  } as unknown as DynamoDBClient;
  return { client, sent };
}

async function run(clock: SimulatedClock, promise: Promise<void>): Promise<unknown> {
  let outcome: unknown = 'pending';
  promise.then(() => (outcome = 'resolved'), (error: unknown) => (outcome = error));
  for (let i = 0; i < 200 && outcome === 'pending'; i++) {
    await flush();
    clock.advance(100);
  }
  return outcome;
}

describe('ensureLeaseTable', () => {
  it('creates a missing table and waits while it is CREATING', async () => {
    const clock = new SimulatedClock();
    const { client, sent } = fakeClient(['missing', kclTable('CREATING'), kclTable('CREATING'), kclTable('ACTIVE')]);
    expect(await run(clock, ensureLeaseTable(client, 'app', clock, 60_000))).toBe('resolved');
    expect(sent).toEqual(['DescribeTableCommand', 'CreateTableCommand', 'DescribeTableCommand', 'DescribeTableCommand', 'DescribeTableCommand']);
  });

  it('does not create a table that exists', async () => {
    const clock = new SimulatedClock();
    const { client, sent } = fakeClient([kclTable('ACTIVE')]);
    expect(await run(clock, ensureLeaseTable(client, 'app', clock, 60_000))).toBe('resolved');
    expect(sent).toEqual(['DescribeTableCommand']);
  });

  it('gives up with a retriable error when the table stays CREATING', async () => {
    const clock = new SimulatedClock();
    const { client } = fakeClient([kclTable('CREATING')]);
    const error = await run(clock, ensureLeaseTable(client, 'app', clock, 5_000));
    expect(error).toMatchObject({ code: 'LEASE_STORE_ERROR', retriable: true });
    expect((error as Error).message).toContain('did not become ACTIVE within 5000 ms (status CREATING)');
  });

  it('refuses a table being deleted', async () => {
    const clock = new SimulatedClock();
    const { client } = fakeClient([kclTable('DELETING')]);
    expect(await run(clock, ensureLeaseTable(client, 'app', clock, 5_000))).toMatchObject({ code: 'LEASE_STORE_ERROR', retriable: false });
  });
});

describe('DynamoDbLeaseStore: tableActiveTimeoutMs', () => {
  it.each([{ tableActiveTimeoutMs: 5000 }, { tableActiveTimeoutMillis: 5000 }])('waits as long as %j says, the old name included', async (options) => {
    const clock = new SimulatedClock();
    const { client } = fakeClient([kclTable('CREATING')]);
    const store = new DynamoDbLeaseStore(client, 'leases', { clock, ...options });
    const error = await run(clock, store.ensureTable());
    expect((error as Error).message).toContain('did not become ACTIVE within 5000 ms');
  });

  it('refuses the old and the new name with different values', () => {
    expect(() => new DynamoDbLeaseStore(fakeClient([]).client, 'leases', { tableActiveTimeoutMillis: 1, tableActiveTimeoutMs: 2 })).toThrow(
      'options.tableActiveTimeoutMs and its deprecated alias options.tableActiveTimeoutMillis (1) are the same setting with different values',
    );
  });
});
