/** The compiled CLI run to its end, for the page tests' stacks and reference runs. Build first. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI_JS } from './viewProcess.js';

/** Runs `smlm-stream ARGS` (the compiled CLI); rejects with its stderr when it fails. */
export async function runCli(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [CLI_JS, ...args], { maxBuffer: 1 << 26 });
}
