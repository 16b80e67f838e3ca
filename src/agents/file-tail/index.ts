// The file tail agent: what the Kinesis Agent does, on the framework's producer.
export { createFileTailAgent, FileTailAgent } from './file-tail-agent.ts';
export type { FileTailStats } from './file-tail-agent.ts';
export { fileTailDefaults } from './options.ts';
export type { FileTailAgentOptions, LineFormat } from './options.ts';
export type { CsvFormat } from './csv.ts';
export { csvToObject } from './csv.ts';
export { LineFormatError, CheckpointFileError } from './errors.ts';
