import { join } from 'node:path';

/**
 * The node arguments that run the CLI from the sources (as the in-process tests use them):
 * `spawnSync(process.execPath, [...CLI, 'localize', …])`. The compiled CLI, as installed, is
 * tested by the package test (test/package/package.test.ts).
 */
export const CLI: readonly string[] = ['--import', 'tsx', join(import.meta.dirname, '../../src/cli/smlm-stream.ts')];
