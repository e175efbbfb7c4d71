/**
 * A job queue that cannot be used: Redis unreachable, refused the password, or a chunk job that
 * failed on a worker (the message names the worker and carries its own). The CLI reports the
 * message on one line; it never holds a password (queue addresses are shown without it).
 */
export class QueueError extends Error {
  override readonly name = 'QueueError';
  /**
   * @param message - what went wrong, one line
   * @param unreachable - true when the queue could not be reached at all (a user error: exit 2)
   */
  constructor(message: string, readonly unreachable = false) {
    super(message);
  }
}
