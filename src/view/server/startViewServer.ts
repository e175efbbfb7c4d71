import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { pipeline } from 'node:stream';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { EXPORT_FORMATS, FRAME_HEADERS, LOCS_TOTAL_HEADER, ROUTES, TOKEN_BYTES, TOKEN_HEADER, TOKEN_PLACEHOLDER, TOKEN_QUERY } from '../protocol.js';
import type { ExportFormat, OpenRequest, PreviewRequest, RunRequest } from '../protocol.js';
import { HttpError } from './HttpError.js';
import { ForbiddenPathError, MissingPathError } from './resolveUnder.js';
import type { ViewSession } from './ViewSession.js';

/** The only address the server listens on: this machine, never the network. */
export const VIEW_HOST = '127.0.0.1';

/** How long an idle connection stays open, ms. */
export const KEEP_ALIVE_TIMEOUT_MS = 60_000;

/** The largest request body read, bytes (flags and paths: a few hundred bytes). */
export const MAX_BODY_BYTES = 1 << 20;

/**
 * The page's policy: its own script, style and connections only (no CDN, no inline script);
 * images and workers from blobs and data URLs (the page's PNG export, the frame view).
 * 'unsafe-eval': the filter box compiles its expression with filtrex (the `filter` command's
 * grammar), which turns the parsed expression into a `new Function`; without it every filter is
 * refused. The code filtrex writes comes from its grammar, never from the text as typed.
 */
const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** The built page: dist/view beside dist/src (from src/ under tsx, the repository's dist/view). */
export function pageFolder(): string {
  const beside = fileURLToPath(new URL('../../../view/', import.meta.url));
  if (existsSync(`${beside}index.html`)) return beside;
  return fileURLToPath(new URL('../../../dist/view/', import.meta.url));
}

/** A running server. */
export interface ViewServer {
  /** The page's address with the token: what the first stdout line says. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Stop: cancel a run (its rows kept), end the event streams, close the connections and the stack. */
  close(): Promise<void>;
}

/**
 * Start `smlm-stream view`'s HTTP server on 127.0.0.1 (node:http): every request needs the
 * session's token (query `token` or header X-Smlm-Token; else 403), files are read only under
 * the session's root, and the page is served from dist/view (built by `npm run build`).
 * @param session - the state behind the API
 * @param port - the port, 0 for any free one
 * @param token - the token @default 128 random bits, hex
 */
export async function startViewServer(session: ViewSession, port: number, token = randomBytes(TOKEN_BYTES).toString('hex')): Promise<ViewServer> {
  const folder = pageFolder();
  const expected = Buffer.from(token);
  const authorized = (request: IncomingMessage, url: URL): boolean => {
    const given = request.headers[TOKEN_HEADER.toLowerCase()] ?? url.searchParams.get(TOKEN_QUERY) ?? '';
    const bytes = Buffer.from(Array.isArray(given) ? given[0] : given);
    return bytes.length === expected.length && timingSafeEqual(bytes, expected);
  };
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${VIEW_HOST}`);
    if (!authorized(request, url)) {
      send(response, 403, 'text/plain; charset=utf-8', 'forbidden: this server needs its token (the address smlm-stream view printed)');
      return;
    }
    route(session, folder, token, request, response, url).catch((error: unknown) => fail(response, error, session));
  });
  // Longer than a client's idle keep-alive (undici's 4 s), so that a reused connection is never
  // closed under a request on its way.
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, VIEW_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${VIEW_HOST}:${actual}/?${TOKEN_QUERY}=${token}`,
    port: actual,
    token,
    close() {
      closing ??= (async () => {
        await session.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

/** Answer one request that passed the token check. */
async function route(session: ViewSession, folder: string, token: string, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const method = request.method ?? 'GET';
  const path = url.pathname;
  const get = method === 'GET' || method === 'HEAD';
  if (get && (path === ROUTES.index || path === '/index.html')) {
    const page = readFileSync(`${folder}index.html`, 'utf8').replaceAll(TOKEN_PLACEHOLDER, token);
    send(response, 200, 'text/html; charset=utf-8', page, { 'Content-Security-Policy': CONTENT_SECURITY_POLICY });
    return;
  }
  if (get && (path === ROUTES.app || path === ROUTES.css)) {
    const file = `${folder}${path.slice(1)}`;
    if (!existsSync(file)) throw new HttpError(404, `${path} is not built (npm run build)`);
    send(response, 200, path.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8', readFileSync(file));
    return;
  }
  if (get && path === ROUTES.state) return json(response, session.state());
  if (get && path === ROUTES.files) return json(response, session.files(url.searchParams.get('dir') ?? '.'));
  if (method === 'POST' && path === ROUTES.open) {
    const body = (await readJson(request)) as OpenRequest;
    return json(response, await session.open(body.path));
  }
  if (get && path === ROUTES.frame) {
    const frame = await session.frame(Number(url.searchParams.get('index') ?? 0));
    send(response, 200, 'application/octet-stream', frame.bytes, { [FRAME_HEADERS.width]: String(frame.width), [FRAME_HEADERS.height]: String(frame.height), [FRAME_HEADERS.index]: String(frame.index) });
    return;
  }
  if (method === 'POST' && path === ROUTES.preview) {
    const body = (await readJson(request)) as PreviewRequest;
    return json(response, await session.preview(Number(body.frame), body.flags ?? {}, body.allowStale === true));
  }
  if (method === 'POST' && path === ROUTES.cancel) return json(response, { cancelled: session.cancel() });
  if (method === 'POST' && path === ROUTES.run) {
    const body = (await readJson(request)) as RunRequest;
    return json(response, await session.startRun(body.flags ?? {}));
  }
  if (get && path === ROUTES.events) {
    session.hub.add(response);
    return;
  }
  if (get && path === ROUTES.locs) {
    const locs = session.locs(Number(url.searchParams.get('from') ?? 0));
    send(response, 200, 'application/octet-stream', locs.bytes, { [LOCS_TOTAL_HEADER]: String(locs.total) });
    return;
  }
  if (get && path === ROUTES.export) {
    const format = (url.searchParams.get('format') ?? 'csv') as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) throw new HttpError(400, `format must be ${EXPORT_FORMATS.join(', ')}; got '${format}'`);
    const file = await session.export(format, url.searchParams.get('filter') ?? '');
    response.writeHead(200, { 'Content-Type': file.contentType, 'Content-Disposition': contentDisposition(file.fileName), 'Cache-Control': 'no-store' });
    // pipeline: an aborted download or a read error closes both and ends here, the file removed.
    pipeline(createReadStream(file.path), response, () => file.cleanup());
    return;
  }
  // The reconstruction's buttons: drift, merge, resolution (ViewSession.tableStep).
  if (method === 'POST' && path === ROUTES.drift) return json(response, await session.tableStep('drift'));
  if (method === 'POST' && path === ROUTES.merge) return json(response, await session.tableStep('merge'));
  if (method === 'POST' && path === ROUTES.resolution) return json(response, await session.tableStep('resolution'));
  throw new HttpError(404, `no such route: ${method} ${path}`);
}

/**
 * `attachment` with the name twice (RFC 6266): an ASCII fallback (other characters, quotes,
 * backslashes and controls as '_') and `filename*=UTF-8''…`, percent-encoded (RFC 8187), so a
 * name in any script is kept and never throws in a header.
 */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** A request's JSON body (at most MAX_BODY_BYTES). */
async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `the request body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) throw new Error('not an object');
    return value;
  } catch {
    throw new HttpError(400, 'the request body must be a JSON object');
  }
}

/** A JSON answer. */
function json(response: ServerResponse, value: unknown, status = 200): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

/** An answer with the headers every answer has (no caching, no sniffing, no Referer: the token is in the page's address). */
function send(response: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', ...headers });
  response.end(body);
}

/** An error as its status and `{ error }`: 403 for a path refused, 404 missing, the HttpError's own, else 400 or 500. */
function fail(response: ServerResponse, error: unknown, session: ViewSession): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  let status = 500;
  let message: string;
  if (error instanceof HttpError) {
    status = error.status;
    message = error.message;
  } else if (error instanceof ForbiddenPathError) {
    status = 403;
    message = error.message;
  } else if (error instanceof MissingPathError) {
    status = 404;
    message = error.message;
  } else {
    message = session.describe(error);
    status = message.startsWith('internal error') ? 500 : 400;
  }
  json(response, { error: message }, status);
}
