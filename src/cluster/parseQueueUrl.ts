import { InvalidOptionError } from '../errors/InvalidOptionError.js';

/** Where a queue lives: the connection for ioredis/BullMQ, and the address to show. */
export interface QueueAddress {
  /** Connection options (host, port, password, database). */
  readonly connection: { host: string; port: number; username?: string; password?: string; db: number };
  /** `redis://HOST:PORT[/DB]`: the address without credentials, for messages and sidecars. */
  readonly display: string;
}

/** Redis's port when the URL names none. */
const DEFAULT_REDIS_PORT = 6379;

/**
 * Parse `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`. The password goes into the connection only:
 * `display`, which messages and sidecars use, never holds it.
 * @param url - the queue's URL
 * @throws InvalidOptionError (option `queue`) for anything else, without repeating a password
 */
export function parseQueueUrl(url: string): QueueAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not repeated: a value that is not a URL may still hold a password.
    throw new InvalidOptionError('the queue must be a URL redis://[:PASSWORD@]HOST:PORT; the value given is not a URL', 'queue');
  }
  if (u.protocol !== 'redis:') throw new InvalidOptionError(`the queue must be a redis:// URL, got ${u.protocol}//…`, 'queue');
  if (!u.hostname) throw new InvalidOptionError('the queue URL names no host', 'queue');
  const port = u.port ? Number(u.port) : DEFAULT_REDIS_PORT;
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!(Number.isInteger(db) && db >= 0)) throw new InvalidOptionError(`the queue URL's database must be a number, got '${path}'`, 'queue');
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  return {
    connection: { host, port, db, ...(password === undefined ? {} : { password }), ...(username === undefined ? {} : { username }) },
    display: `redis://${u.hostname}:${port}${db ? `/${db}` : ''}`,
  };
}
