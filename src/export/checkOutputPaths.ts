import { lstatSync, realpathSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputPathError } from '../errors/OutputPathError.js';
import { checkRecordPath } from './checkRecordPath.js';
import type { RecordKind } from './checkRecordPath.js';
import { notRegular } from './notRegular.js';

/** A file a command reads or writes, with what it is (for the message). */
export interface NamedPath {
  /** The path as the user gave it (or as derived from it). */
  readonly path: string;
  /** What the file is, e.g. "the input stack", "the CSV", "the sidecar". */
  readonly role: string;
  /**
   * An output that is one of our JSON records (a sidecar, a calibration): a file already at
   * its name is replaced only when it is a record of the same kind ({@link checkRecordPath}).
   * @default undefined (not a record)
   */
  readonly record?: RecordKind;
}

/** Where a path leads once links are followed: its real path, and its inode when it exists. */
interface Identity {
  readonly real: string;
  readonly inode: string | undefined;
}

/** `stat` or `lstat`, undefined when there is nothing there (a link to nothing included). */
function statOrNothing(path: string, follow: boolean): Stats | undefined {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch {
    return undefined;
  }
}

function identify(path: string, output: boolean): Identity {
  const absolute = resolve(path);
  const stats = statOrNothing(absolute, true);
  if (stats) {
    if (output && stats.isDirectory()) throw new OutputPathError(path, 'is a folder; give a file name');
    if (output && !stats.isFile()) {
      // A pipe, a device, a socket: a writer's rename would put a file in its place (as root,
      // /dev/null itself), and a writer opening it would block or write nowhere.
      const link = statOrNothing(absolute, false)?.isSymbolicLink() === true;
      const what = notRegular(stats);
      throw new OutputPathError(path, `${link ? `is a symbolic link to ${realpathSync(absolute)}, which ${what}` : what}: refusing to write over it (choose a file name)`);
    }
    return { real: realpathSync(absolute), inode: `${stats.dev}:${stats.ino}` };
  }
  // Not there yet: its folder must be, and the real path is the folder's plus the name.
  const folder = dirname(absolute);
  let realFolder;
  try {
    realFolder = realpathSync(folder);
  } catch {
    throw new OutputPathError(path, `the folder ${folder} does not exist`);
  }
  if (!statSync(realFolder).isDirectory()) throw new OutputPathError(path, `${folder} is not a folder`);
  return { real: join(realFolder, basename(absolute)), inode: undefined };
}

/**
 * The one rule every command and pipeline follows, checked before anything is read or written:
 * every file a run reads is an input (the stack's files, a calibration, camera maps, a truth
 * file, a table and its sidecar), and no output of any role (a CSV, a sidecar, a preview, a
 * plot, an HDF5 or YAML file, a TIFF, and the temporary files the writers rename: `NAME.partial`,
 * `NAME.tmp`) may be
 * - one of the inputs or another output, compared by real path (symbolic links followed) and by
 *   device and inode (hard links caught);
 * - anything but a regular file when something is already there: a folder, a named pipe, a
 *   device (`/dev/null` as root), a socket, or a symbolic link to one of those;
 * - for an output marked `record`, an existing file that is not one of our records
 *   ({@link checkRecordPath}): a user's own `NAME.json` is never replaced;
 * - an empty name, or a file in a folder that does not exist.
 *
 * A symbolic link to a regular file that is not an input is accepted: the writers write a
 * temporary file and rename it, which replaces the link itself with the new file and leaves the
 * file it pointed to as it was (no data is lost; the output is where the user named it).
 *
 * @param inputs - files the run reads
 * @param outputs - files the run writes
 * @throws OutputPathError naming the output and what it would overwrite
 */
export function checkOutputPaths(inputs: readonly NamedPath[], outputs: readonly NamedPath[]): void {
  const seen: { named: NamedPath; id: Identity }[] = [];
  for (const named of inputs) {
    let id: Identity;
    try {
      id = identify(named.path, false);
    } catch {
      continue; // a missing input is the reader's error to report, with its own message
    }
    seen.push({ named, id });
  }
  for (const named of outputs) {
    if (named.path.trim() === '') throw new OutputPathError(named.path, `${named.role} needs a file name, got an empty one`);
    const id = identify(named.path, true);
    const clash = seen.find((s) => s.id.real === id.real || (id.inode !== undefined && s.id.inode === id.inode));
    if (clash) {
      const same = clash.named.path === named.path ? '' : ` (${clash.named.path})`;
      throw new OutputPathError(named.path, `refusing to write ${named.role} over ${clash.named.role}${same}: choose another output name`);
    }
    seen.push({ named, id });
  }
  // Only once no output is an input: a record's check reads the file there.
  for (const named of outputs) if (named.record) checkRecordPath(named.path, named.record);
}
