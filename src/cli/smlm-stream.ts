#!/usr/bin/env node
// The `smlm-stream` command (the package's bin, compiled to dist/src/cli/smlm-stream.js). From a
// clone without a build: node --import tsx src/cli/smlm-stream.ts.
import { main } from './main.js';

// A closed terminal or pipe (SIGHUP, `| head`) must not turn progress output into a crash.
process.stderr.on('error', () => undefined);
process.stdout.on('error', () => undefined);
process.exitCode = await main(process.argv.slice(2));
