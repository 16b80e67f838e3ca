#!/usr/bin/env node
// The operator CLI. Plain JavaScript so it starts without a loader; the commands are
// TypeScript, loaded through tsx (a dependency).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
