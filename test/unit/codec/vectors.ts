import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Vector {
  name: string;
  outerPartitionKey: string;
  data: string;
  expectedUserRecords: { partitionKey: string; explicitHashKey: string | null; data: string }[];
}

const path = fileURLToPath(new URL('../../fixtures/kpl-aggregation.json', import.meta.url));

/** Real KPL output (awslabs/kinesis-aggregation test data), kept in test/fixtures. */
export const vectors: Vector[] = JSON.parse(readFileSync(path, 'utf8')).vectors;
