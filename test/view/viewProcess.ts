/**
 * The compiled CLI as the page tests use it: `smlm-stream view PATH --no-open` started as a
 * process (its page is dist/view/, built by `npm run build`), its first stdout line read for the
 * URL; and the other commands run to their end. Build first.
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { TOKEN_HEADER, TOKEN_QUERY } from '../../src/view/protocol.js';

/** The compiled CLI. */
export const CLI_JS = join(import.meta.dirname, '../../dist/src/cli/smlm-stream.js');

/** How long the server may take to print its URL, ms (a loaded CI machine starts node slowly). */
const START_TIMEOUT_MS = 20_000;

/** A running `smlm-stream view`. */
export interface ViewProcess {
  /** The first stdout line: http://127.0.0.1:PORT/?token=TOKEN. */
  readonly url: string;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly token: string;
  /** JSON from the server with the token header (as the page asks), for the tests' own checks. */
  api<T>(route: string, body?: unknown): Promise<T>;
  /** What the server wrote on stderr so far. */
  stderr(): string;
  /** SIGINT, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `smlm-stream view ARGS --no-open` and waits for its URL. */
export async function startView(args: readonly string[]): Promise<ViewProcess> {
  const child = spawn(process.execPath, [CLI_JS, 'view', ...args, '--no-open'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`view printed no URL in ${START_TIMEOUT_MS} ms; stderr: ${stderr}`)), START_TIMEOUT_MS);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`view exited with ${code} before printing its URL; stderr: ${stderr}`));
    });
  });
  const parsed = new URL(url);
  const token = parsed.searchParams.get(TOKEN_QUERY) ?? '';
  return {
    url,
    origin: parsed.origin,
    token,
    async api<T>(route: string, body?: unknown): Promise<T> {
      const response = await fetch(`${parsed.origin}${route}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { [TOKEN_HEADER]: token, 'Content-Type': 'application/json' },
        body: body === undefined ? null : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

/** Runs the compiled CLI to its end; rejects with its stderr when it fails. */
export async function runCli(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [CLI_JS, ...args], { maxBuffer: 1 << 26 });
}
