import { Redis } from 'ioredis';
import { QueueError } from '../errors/QueueError.js';
import type { QueueAddress } from './parseQueueUrl.js';

/** How long the first connection may take, ms. */
const CONNECT_TIMEOUT_MS = 3000;
/**
 * How long a disconnected client waits for its socket to close before destroying it, ms
 * (ioredis's 2 s kept a submitter alive that long after Redis was lost).
 */
const DISCONNECT_TIMEOUT_MS = 100;

/**
 * The connection options of BullMQ's own clients (queue, events, worker) for `address`: commands
 * wait through reconnections (BullMQ's requirement), and a disconnect is prompt.
 */
export function bullConnection(address: QueueAddress): QueueAddress['connection'] & { maxRetriesPerRequest: null; disconnectTimeout: number } {
  return { ...address.connection, maxRetriesPerRequest: null, disconnectTimeout: DISCONNECT_TIMEOUT_MS };
}

/**
 * A Redis client for the queue's own keys, connected and answering: the first contact fails
 * fast with a one-line error (no retries), later ones reconnect as ioredis does.
 * @throws QueueError (unreachable) naming the address without its password
 */
export async function connectQueue(address: QueueAddress): Promise<Redis> {
  const client = new Redis({ ...address.connection, lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, disconnectTimeout: DISCONNECT_TIMEOUT_MS, maxRetriesPerRequest: 1, retryStrategy: () => null });
  // The socket's own error (ECONNREFUSED, WRONGPASS…) says more than connect()'s rejection.
  let first: unknown;
  const onError = (error: unknown) => {
    first ??= error;
  };
  client.on('error', onError);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    const e = (first ?? error) as { code?: string; message?: string };
    const why = e.code && e.code !== 'ERR' ? e.code : firstWords(e.message ?? String(error));
    throw new QueueError(`cannot reach the queue at ${address.display}: ${why}`, true);
  }
  client.off('error', onError);
  // Connected: reconnect after a drop (a worker runs for days); errors are retried, not thrown.
  client.on('error', () => undefined);
  client.options.retryStrategy = (times: number) => Math.min(1000 * times, 10000);
  return client;
}

/** Redis's replies ("WRONGPASS invalid username-password pair …") without anything after a colon that could echo input. */
function firstWords(message: string): string {
  return message.split('\n')[0].slice(0, 120);
}
