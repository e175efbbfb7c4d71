/**
 * Run several command lines in one process, one after the other, as the CLI would (`main`):
 * each one's exit code, stdout and stderr. For tests of many refusals, where one node start
 * (about a second with tsx) per case would dominate. Run as a script:
 * `node --import tsx test/cli/cliBatch.ts CASES.json RESULTS.json`, CASES.json an array of
 * argument lists; RESULTS.json gets `{ status, stdout, stderr }` for each.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { main } from '../../src/cli/main.js';

/** What one command line did. */
export interface BatchResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Run `cases` (argument lists after `smlm-stream`) in one child process.
 * @param dir - a scratch folder for the cases and results files
 */
export function runBatch(dir: string, cases: readonly (readonly string[])[]): BatchResult[] {
  const casesPath = join(dir, `batch-${process.pid}-${Date.now()}.json`);
  const resultsPath = `${casesPath}.results`;
  writeFileSync(casesPath, JSON.stringify(cases));
  // A bound, not a timed assertion: a case that blocks (a write into a pipe) fails the test instead of hanging it.
  const child = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, casesPath, resultsPath], { encoding: 'utf8', timeout: 120_000 });
  if (child.status !== 0) throw new Error(`the batch runner failed (${child.signal ?? child.status}): ${child.stderr}`);
  return JSON.parse(readFileSync(resultsPath, 'utf8')) as BatchResult[];
}

if (process.argv[1] === import.meta.filename) {
  const [casesPath, resultsPath] = process.argv.slice(2);
  const cases = JSON.parse(readFileSync(casesPath, 'utf8')) as string[][];
  const results: BatchResult[] = [];
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  for (const argv of cases) {
    const result = { status: -1, stdout: '', stderr: '' };
    process.stdout.write = ((chunk: string | Uint8Array) => {
      result.stdout += String(chunk);
      return true;
    }) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      result.stderr += String(chunk);
      return true;
    }) as typeof process.stderr.write;
    try {
      result.status = await main(argv);
    } finally {
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
    }
    results.push(result);
  }
  writeFileSync(resultsPath, JSON.stringify(results));
}
