#!/usr/bin/env node
// The `smlm-stream` command: loads the TypeScript sources through tsx (a dependency), then runs
// the CLI. Kept as plain JavaScript so that `node src/cli/smlm-stream.js` works with no build step.
import { register } from 'tsx/esm/api';

// A closed terminal or pipe (SIGHUP, `| head`) must not turn progress output into a crash.
process.stderr.on('error', () => undefined);
process.stdout.on('error', () => undefined);
register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
