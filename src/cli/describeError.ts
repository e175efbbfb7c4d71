import { FileWriteError } from '../errors/FileWriteError.js';
import { InputFileError } from '../errors/InputFileError.js';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { KernelLoadError } from '../errors/KernelLoadError.js';
import { OutputPathError } from '../errors/OutputPathError.js';
import { QueueError } from '../errors/QueueError.js';
import { FilterExpressionError } from '../post/compileFilter.js';
import { TiffError } from '../io/TiffError.js';
import { UsageError } from './UsageError.js';

/** Exit codes: user errors (a bad option, an unreadable input, an output refused) and run failures. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * The one line a user reads for an error, and the exit code; for a filter expression, a picture
 * of the place (printed under the line).
 * @param error - what was thrown
 * @param flags - the command's flag for each option path
 */
export function describeError(error: unknown, flags: Readonly<Record<string, string>> = {}): { message: string; code: number; picture?: string } {
  const text = firstLine(error instanceof Error ? error.message : String(error));
  if (error instanceof InvalidOptionError) {
    const flag = error.option === undefined ? undefined : flags[error.option];
    const picture = error instanceof FilterExpressionError ? error.picture : undefined;
    return { message: flag ? `${flag}: ${text}` : text, code: EXIT.usage, picture };
  }
  if (
    error instanceof UsageError ||
    error instanceof TiffError ||
    error instanceof InputFileError ||
    error instanceof OutputPathError ||
    isParseArgsError(error) ||
    isFileSystemError(error)
  ) {
    return { message: text, code: EXIT.usage };
  }
  if (error instanceof QueueError) return { message: text, code: error.unreachable ? EXIT.usage : EXIT.failed };
  if (error instanceof FileWriteError || error instanceof KernelLoadError) return { message: text, code: EXIT.failed };
  return { message: `internal error: ${text} (please report it; SMLM_STREAM_DEBUG=1 prints where it happened)`, code: EXIT.failed };
}

/** The first line (parseArgs adds hints on further lines; keep one line, but keep its hint). */
function firstLine(message: string): string {
  const lines = message.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.join(' ');
}

/** A system error on a file the user named (ENOENT, EACCES, EISDIR…): its message names the path. */
function isFileSystemError(error: unknown): boolean {
  const e = error as { code?: string; syscall?: string; path?: string } | null;
  return typeof e?.code === 'string' && typeof e.syscall === 'string' && typeof e.path === 'string';
}

/** node:util parseArgs reports unknown or malformed options with these codes. */
function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
