/** The compiled CLI run to its end, for the view tests' stacks and reference runs. Build first. */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI_JS } from './viewProcess.js';

/** Runs `smlm-stream ARGS` (the compiled CLI); rejects with its stderr when it fails. */
export async function runCli(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [CLI_JS, ...args], { maxBuffer: 1 << 26 });
}

/** Runs `smlm-stream ARGS` (the compiled CLI) synchronously; fails the test on a non-zero exit (its stderr the message). @returns its stdout */
export function runCliSync(args: readonly string[]): string {
  const r = spawnSync(process.execPath, [CLI_JS, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}
