import type { Redis } from 'ioredis';

/** What {@link watchConnection} calls. */
export interface ConnectionWatchHandlers {
  /** Redis has been unreachable for the grace period: `why` is the socket's error code (ECONNREFUSED…) or a short phrase. */
  lost: (why: string) => void;
  /** Redis answers again after {@link ConnectionWatchHandlers.lost} was called. */
  back?: () => void;
}

/** A running watch: stop it before disconnecting the client on purpose. */
export interface ConnectionWatch {
  /** True while the connection is counted as lost (after `lost`, before `back`). */
  readonly isLost: () => boolean;
  /** Stop watching (timers cleared, listeners removed). */
  stop(): void;
}

/**
 * Watch a connected Redis client: when its connection closes, or a probe (PING every quarter of
 * `graceMs`) has no answer, and it is not back within `graceMs`, call `lost` once; when it answers
 * again, call `back`. ioredis keeps reconnecting meanwhile (its own retry strategy); the watch only
 * decides when a person should hear of it, so that a Redis that restarts in a second goes unnoticed
 * and one that is gone is reported once, not at every reconnection attempt.
 * @param client - a client of {@link connectQueue}
 * @param graceMs - how long the connection may be down before it counts as lost, ms
 * @param handlers - what to call
 */
export function watchConnection(client: Redis, graceMs: number, handlers: ConnectionWatchHandlers): ConnectionWatch {
  let why = 'no answer';
  let downSince: number | undefined;
  let probeSent: number | undefined;
  let lost = false;
  const down = () => {
    downSince ??= Date.now();
  };
  const up = () => {
    downSince = undefined;
    if (lost) {
      lost = false;
      handlers.back?.();
    }
  };
  const onError = (error: { code?: string; message?: string }) => {
    why = error.code && error.code !== 'ERR' ? error.code : (error.message ?? 'error').split('\n')[0].slice(0, 80);
  };
  // Down since the connection closed, or since a probe went unanswered (a machine gone without
  // closing its sockets).
  const overdue = () => {
    const since = Math.min(downSince ?? Infinity, probeSent ?? Infinity);
    return !lost && Date.now() - since >= graceMs;
  };
  const timer = setInterval(() => {
    // Decided after the event loop has read the sockets (setImmediate runs after I/O), so that an
    // answer held up by a busy loop is not taken for silence.
    if (overdue()) {
      setImmediate(() => {
        if (!overdue()) return;
        lost = true;
        handlers.lost(why);
      });
    }
    if (probeSent !== undefined) return;
    probeSent = Date.now();
    client.ping().then(
      () => {
        probeSent = undefined;
        up();
      },
      () => {
        probeSent = undefined;
        down();
      },
    );
  }, Math.max(50, graceMs / 4));
  timer.unref();
  client.on('close', down);
  client.on('error', onError);
  client.on('ready', up);
  return {
    isLost: () => lost,
    stop: () => {
      clearInterval(timer);
      client.off('close', down);
      client.off('error', onError);
      client.off('ready', up);
    },
  };
}
