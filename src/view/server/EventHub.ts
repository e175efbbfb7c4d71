import type { ServerResponse } from 'node:http';

/** How often a comment line keeps an idle event stream open through proxies and timeouts, ms. */
export const KEEP_ALIVE_MS = 15_000;

/**
 * The Server-Sent Event streams of `smlm-stream view` (GET /api/events): every open page gets
 * each event (`event: NAME`, `data: JSON`). Streams end when the page goes or {@link close}.
 */
export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor() {
    this.timer = setInterval(() => {
      for (const c of this.clients) c.write(': keep-alive\n\n');
    }, KEEP_ALIVE_MS);
    this.timer.unref();
  }

  /** Open an event stream on a response (the status and headers are written here). */
  add(response: ServerResponse): void {
    response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Content-Type-Options': 'nosniff' });
    response.write(': smlm-stream view\n\n');
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
  }

  /** Send one event to every stream. */
  send(name: string, data: unknown): void {
    const text = `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.clients) c.write(text);
  }

  /** Streams open now. */
  get size(): number {
    return this.clients.size;
  }

  /** End every stream. */
  close(): void {
    clearInterval(this.timer);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
