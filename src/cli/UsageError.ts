/**
 * An error in what the user asked for (bad option, missing file, unreadable input): the CLI
 * prints its message on one line and exits non-zero, without a stack trace.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
