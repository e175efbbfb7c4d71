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
 * Watch a connected Redis client: when its connection closes, or a probe (PING every half of
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
  let lost = false;
  let probing = false;
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
  const check = () => {
    if (!lost && downSince !== undefined && Date.now() - downSince >= graceMs) {
      lost = true;
      handlers.lost(why);
    }
  };
  const timer = setInterval(() => {
    check();
    if (probing) return;
    probing = true;
    const sent = Date.now();
    // A probe that hangs (a machine gone without closing its sockets) counts as down from when it was sent.
    const slow = setTimeout(() => {
      if (downSince === undefined) downSince = sent;
    }, graceMs / 2);
    slow.unref();
    client.ping().then(
      () => {
        clearTimeout(slow);
        probing = false;
        up();
      },
      () => {
        clearTimeout(slow);
        probing = false;
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
