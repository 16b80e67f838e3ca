import { startDashboard } from '../../dashboard/dashboard.ts';
import { integerOption } from '../args.ts';
import { defineCommand } from '../command.ts';
import { cliClients, connectionOptions } from '../connection.ts';

/**
 * `dashboard --stream S --app A [--port P]`: the live dashboard of a deployed fleet, from the
 * stream and the application's lease table, until Ctrl-C.
 */
export const dashboardCommand = defineCommand({
  name: 'dashboard',
  positionals: [],
  summary: "serve a live dashboard of a stream and a consumer application's fleet (from the lease table) until Ctrl-C",
  options: {
    stream: { type: 'string', value: 'name', required: true, help: 'the stream to follow' },
    app: { type: 'string', value: 'name', required: true, help: 'the consumer application (its lease table)' },
    port: { type: 'string', value: 'port', default: '8080', help: 'port of the page (0: any free port)' },
    host: { type: 'string', value: 'address', default: '127.0.0.1', help: 'address to listen on' },
    interval: { type: 'string', value: 'ms', default: '1000', help: 'how often the stream and the lease table are read' },
    'no-tip': { type: 'boolean', defaultText: 'the tips are read', help: "do not read the shards' tips: no write rate, no GetRecords calls of the dashboard's own" },
    ...connectionOptions,
  },
  async run(values) {
    const port = integerOption('port', values.port, 0, 65_535);
    const intervalMs = integerOption('interval', values.interval, 100, 3_600_000);
    const clients = cliClients(values);
    try {
      const dashboard = await startDashboard({
        streamName: values.stream,
        applicationName: values.app,
        kinesis: clients.kinesis,
        dynamodb: clients.dynamodb,
        port,
        host: values.host,
        intervalMs,
        readTip: !values['no-tip'],
      });
      console.log(`dashboard of stream '${values.stream}' and application '${values.app}' (${clients.describe}) at ${dashboard.url} (Ctrl-C stops)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await dashboard.close();
    } finally {
      clients.destroy();
    }
  },
});
