import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Vector {
  name: string;
  outerPartitionKey: string;
  data: string;
  expectedUserRecords: { partitionKey: string; explicitHashKey: string | null; data: string }[];
}

const path = fileURLToPath(new URL('../../../../shared/vectors/kpl-aggregation.json', import.meta.url));

/** The real KPL output in shared/vectors, beside the repository. */
export const vectors: Vector[] = JSON.parse(readFileSync(path, 'utf8')).vectors;
