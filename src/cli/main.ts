#!/usr/bin/env node
// The `kinesis-actors` executable: compiled to dist/src/cli/main.js for the package's `bin`;
// from a checkout, `node --import tsx src/cli/main.ts`.
import { runCli } from './cli.ts';

process.exitCode = await runCli(process.argv.slice(2));
