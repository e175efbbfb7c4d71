import { statSync } from 'node:fs';
import { FileWriteError } from '../errors/FileWriteError.js';
import { InputFileError } from '../errors/InputFileError.js';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { KernelLoadError } from '../errors/KernelLoadError.js';
import { OutputPathError } from '../errors/OutputPathError.js';
import { QueueError } from '../errors/QueueError.js';
import { FilterExpressionError } from '../post/compileFilter.js';
import { TiffError } from '../io/TiffError.js';
import { printable } from '../errors/printable.js';
import { UsageError } from './UsageError.js';

/** Exit codes: user errors (a bad option, an unreadable input, an output refused) and run failures. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * The exit code after a signal stopped a run: 128 + the signal's number, as shells report them
 * (SIGHUP 129, SIGINT 130, SIGTERM 143); {@link EXIT}.failed for any other.
 * @param signal - the signal's name
 */
export function signalExit(signal: string): number {
  return SIGNAL_EXIT[signal] ?? EXIT.failed;
}

/** 128 + the number of each signal a command stops on. */
const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/** What a system error on a file the user named means, in words (the message names the file). */
const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
};

/**
 * The one line a user reads for an error, and the exit code; for a filter expression, a picture
 * of the place (printed under the line). The line is {@link printable}: control characters in
 * file names (escape sequences) never reach the terminal. A CLI user reads flags, never the
 * library's option names: see {@link inFlagWords}.
 * @param error - what was thrown
 * @param flags - the command's flag for each option path
 * @param argv - the command's arguments, to name the flag that gave a file (`--calibration`)
 * @param valueFlags - the command's flags that take a value (a file after a switch is not its value)
 */
export function describeError(
  error: unknown,
  flags: Readonly<Record<string, string>> = {},
  argv: readonly string[] = [],
  valueFlags: ReadonlySet<string> = new Set(),
): { message: string; code: number; picture?: string } {
  const named = withFolderPath(error, argv);
  const { message, code, picture } = describe(named, flags, (path) => flagNote(path, argv, valueFlags));
  return { message: printable(message, Infinity), code, picture: picture?.split('\n').map((line) => printable(line, Infinity)).join('\n') };
}

function describe(error: unknown, flags: Readonly<Record<string, string>>, note: (path: string) => string): { message: string; code: number; picture?: string } {
  const text = firstLine(error instanceof Error ? error.message : String(error));
  if (error instanceof InvalidOptionError) {
    const picture = error instanceof FilterExpressionError ? error.picture : undefined;
    return { message: inFlagWords(text, error.option, flags), code: EXIT.usage, picture };
  }
  if (isFileSystemError(error)) {
    const e = error as { code: string; path: string };
    const words = FILE_ERRORS[e.code];
    return { message: words ? `${e.path}: ${words}${note(e.path)}` : text, code: EXIT.usage };
  }
  if ((error as { code?: unknown } | null)?.code === 'EISDIR') return { message: 'a folder was given where a file is read (EISDIR)', code: EXIT.usage };
  if (error instanceof TiffError) return { message: `${text}${note(error.path)}`, code: EXIT.usage };
  if (
    error instanceof UsageError ||
    error instanceof InputFileError ||
    error instanceof OutputPathError ||
    isParseArgsError(error)
  ) {
    return { message: text, code: EXIT.usage };
  }
  if (error instanceof QueueError) return { message: text, code: error.unreachable ? EXIT.usage : EXIT.failed };
  if (error instanceof FileWriteError || error instanceof KernelLoadError) return { message: text, code: EXIT.failed };
  return { message: `internal error: ${text} (please report it; SMLM_STREAM_DEBUG=1 prints where it happened)`, code: EXIT.failed };
}

/**
 * An option error in the CLI's words: every library option path in the message
 * (`camera.pixelSizeNm`) becomes its flag (`--pixel-size`); the option at fault, when the
 * message names it as the library does (`fit option maxIterations`, `chunkFrames`), becomes its
 * flag there, and otherwise the flag leads the message (`--pixel-size: the pixel size must …`).
 * Library messages name an option by its path or by its last part, optionally after "WORD option ".
 * @param text - the library's message
 * @param option - the option at fault, as its path (`fit.maxIterations`)
 * @param flags - the command's flag for each option path (from its FlagTable)
 */
function inFlagWords(text: string, option: string | undefined, flags: Readonly<Record<string, string>>): string {
  let message = text;
  const paths = Object.keys(flags).filter((path) => path.includes('.')).sort((a, b) => b.length - a.length);
  for (const path of paths) message = message.replace(new RegExp(`(?<![\\w.])${escapeRegExp(path)}(?![\\w.])`, 'g'), flags[path]);
  const flag = option === undefined ? undefined : flags[option];
  if (option === undefined || flag === undefined || message.includes(flag)) return message;
  const name = option.slice(option.lastIndexOf('.') + 1);
  // "fit option maxIterations" is the library's name; so is a bare name in code's spelling
  // (chunkFrames), but a plain word (workers) may be prose.
  const named = new RegExp(`\\b[\\w-]+ option ${escapeRegExp(name)}\\b`);
  if (named.test(message)) return message.replace(named, flag);
  const bare = new RegExp(`\\b${escapeRegExp(name)}\\b`);
  if (/[A-Z]/.test(name) && bare.test(message)) return message.replace(bare, flag);
  return `${flag}: ${message}`;
}

/**
 * A folder read as a file fails with EISDIR on the read, which names no path: the folder among
 * the arguments is the one (when there is exactly one), so the message can name it.
 */
function withFolderPath(error: unknown, argv: readonly string[]): unknown {
  const e = error as { code?: unknown; path?: unknown; syscall?: unknown } | null;
  if (e?.code !== 'EISDIR' || typeof e.path === 'string') return error;
  const folders = argv.filter((arg) => {
    try {
      return statSync(arg).isDirectory();
    } catch {
      return false;
    }
  });
  return folders.length === 1 ? Object.assign(error as object, { path: folders[0], syscall: e.syscall ?? 'read' }) : error;
}

/** " (--calibration)" when `path` is the value of a flag in `argv` (`--flag PATH` or `--flag=PATH`); else "". */
function flagNote(path: string, argv: readonly string[], valueFlags: ReadonlySet<string>): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === path && i > 0 && valueFlags.has(argv[i - 1])) return ` (${argv[i - 1]})`;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0 && arg.slice(eq + 1) === path) return ` (${arg.slice(0, eq)})`;
  }
  return '';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
