// Entry of the null Kinesis endpoint in its own process (startNullKinesis with ownProcess).
import { startNullKinesis } from './null-kinesis.ts';

const endpoint = await startNullKinesis(Number(process.argv[2]));
process.send!({ endpoint: endpoint.endpoint });
process.on('message', async () => {
  await endpoint.close();
  process.send!(endpoint.stats, () => process.exit(0));
});
// The parent exited without closing: go with it.
process.on('disconnect', () => process.exit(0));
