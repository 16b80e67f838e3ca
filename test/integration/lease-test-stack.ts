import { afterAll, afterEach, beforeAll } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LeaseCoordinator } from '../../src/leases/lease-coordinator.ts';
import { startLocalStack, type LocalStack } from '../../src/testing/local-stack.ts';

/**
 * The embedded stack of a describe block whose tests drive lease coordinators by hand: started
 * before its tests, closed after them; the coordinators a test started are stopped after it.
 */
export function leaseTestStack(): { dynamodb(): DynamoDBClient; stopAfterTest(coordinator: LeaseCoordinator): LeaseCoordinator } {
  let stack: LocalStack | undefined;
  let started: LeaseCoordinator[] = [];
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterEach(async () => {
    await Promise.all(started.map((c) => c.stop()));
    started = [];
  });
  afterAll(() => stack?.close());
  return {
    dynamodb: () => stack!.dynamodb!,
    stopAfterTest(coordinator) {
      started.push(coordinator);
      return coordinator;
    },
  };
}
