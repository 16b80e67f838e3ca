/**
 * Runs the put() latency figure in a process of its own, with its own embedded stack, so the
 * heap that earlier figures left behind (millions of records in kinesalite) does not put its
 * garbage collection into the percentiles. Prints the result as JSON.
 *
 *   npx tsx bench/put-latency-child.ts <rate> <seconds>
 */
import { startLocalStack } from '../src/testing/index.ts';
import { runPutLatency } from './put-latency.ts';

const [rate, seconds] = process.argv.slice(2).map(Number);
const stack = await startLocalStack({ dynamodb: false });
const result = await runPutLatency(stack, rate, seconds);
await stack.close();
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
