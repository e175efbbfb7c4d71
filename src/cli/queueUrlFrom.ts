import { UsageError } from './UsageError.js';

/** The environment variable that holds the queue's URL, password included, out of sight of `ps`. */
export const QUEUE_ENV = 'SMLM_STREAM_QUEUE';
/** The value of `--queue` that means "the URL in {@link QUEUE_ENV}". */
export const QUEUE_FROM_ENV = 'env';

/**
 * The queue URL of a command: `--queue URL`, or `--queue env` for the URL in SMLM_STREAM_QUEUE
 * (where a password is not shown to every user of the machine, as the command line is by `ps`).
 * @param flag - the value of `--queue`, undefined when not given
 * @param env - the environment (process.env)
 * @param warn - called when a password is on the command line
 * @returns the URL, or undefined when `--queue` is not given
 * @throws UsageError when `--queue env` is given and the variable is not set
 */
export function queueUrlFrom(flag: string | undefined, env: NodeJS.ProcessEnv, warn: (message: string) => void): string | undefined {
  if (flag === undefined) return undefined;
  if (flag === QUEUE_FROM_ENV) {
    const url = env[QUEUE_ENV];
    if (!url) throw new UsageError(`--queue ${QUEUE_FROM_ENV} takes the queue's URL from ${QUEUE_ENV}, which is not set`);
    return url;
  }
  if (/^[a-z]+:\/\/[^/@]*:[^/@]+@/i.test(flag)) {
    warn(`the queue's password is on the command line, where other users of this machine can read it (ps): put the URL in ${QUEUE_ENV} and give --queue ${QUEUE_FROM_ENV}`);
  }
  return flag;
}
