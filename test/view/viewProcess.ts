/**
 * `smlm-stream view` started as a user starts it (the compiled CLI, `npm run build` first), for
 * the HTTP-level tests: its first stdout line, requests with the token, the event stream.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { TOKEN_HEADER } from '../../src/view/protocol.js';

/** The compiled CLI (SMLM_VIEW_CLI names another build's, for a benchmark's before/after). */
export const CLI_JS = process.env.SMLM_VIEW_CLI ?? join(import.meta.dirname, '../../dist/src/cli/smlm-stream.js');

/** A running `smlm-stream view`. */
export interface ViewProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** The first stdout line, as printed. */
  readonly firstLine: string;
  /** http://127.0.0.1:PORT */
  readonly base: string;
  readonly token: string;
  /** stderr so far. */
  stderr(): string;
  /** fetch a path with the token header. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** POST JSON with the token header. */
  post(path: string, body: unknown): Promise<Response>;
  /** SIGINT, and the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Start `smlm-stream view ARGS --no-open` and wait for its first stdout line.
 * @param args - PATH and flags
 * @param timeoutMs - how long the first line may take
 */
export async function startView(args: readonly string[], timeoutMs = 20_000): Promise<ViewProcess> {
  const child = spawn(process.execPath, [CLI_JS, 'view', ...args, '--no-open'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const firstLine = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no first line in ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const end = out.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, end));
      }
    });
    child.once('exit', (code) => reject(new Error(`view exited with ${code} before its first line; stderr: ${err}`)));
  });
  const url = new URL(firstLine);
  const token = url.searchParams.get('token') ?? '';
  const base = `${url.protocol}//${url.host}`;
  const api = (path: string, init: RequestInit = {}) => fetch(base + path, { ...init, headers: { ...(init.headers as Record<string, string>), [TOKEN_HEADER]: token } });
  return {
    child,
    firstLine,
    base,
    token,
    stderr: () => err,
    api,
    post: (path, body) => api(path, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

/** One Server-Sent Event. */
export interface SseEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/**
 * Read a view's event stream until `until` holds for an event (or the time runs out).
 * @returns every event read, the last one the one `until` accepted
 */
export async function eventsUntil(view: ViewProcess, until: (e: SseEvent) => boolean, timeoutMs = 20_000, onOpen?: () => Promise<void>): Promise<SseEvent[]> {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), timeoutMs);
  const response = await fetch(`${view.base}/api/events?token=${view.token}`, { signal: stop.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let text = '';
  await onOpen?.();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const name = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (name === undefined || data === undefined) continue;
        const event = { event: name, data: JSON.parse(data) as Record<string, unknown> };
        events.push(event);
        if (until(event)) return events;
      }
    }
  } catch (error) {
    if (!stop.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    stop.abort();
  }
  throw new Error(`the awaited event did not come in ${timeoutMs} ms; got ${events.map((e) => e.event).join(', ')}`);
}
