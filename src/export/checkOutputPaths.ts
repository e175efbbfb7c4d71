import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputPathError } from '../errors/OutputPathError.js';

/** A file a command reads or writes, with what it is (for the message). */
export interface NamedPath {
  /** The path as the user gave it (or as derived from it). */
  readonly path: string;
  /** What the file is, e.g. "the input stack", "the CSV", "the sidecar". */
  readonly role: string;
}

/** Where a path leads once links are followed: its real path, and its inode when it exists. */
interface Identity {
  readonly real: string;
  readonly inode: string | undefined;
}

function identify(path: string, output: boolean): Identity {
  const absolute = resolve(path);
  let stats;
  try {
    stats = statSync(absolute);
  } catch {
    stats = undefined;
  }
  if (stats) {
    if (output && stats.isDirectory()) throw new OutputPathError(path, 'is a folder; give a file name');
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
 * Refuse, before anything is read or written, outputs that would destroy data: an output that
 * is one of the inputs or the same file as another output (compared by real path, so symbolic
 * links are followed, and by device and inode, so hard links are caught), an empty name, an
 * existing folder, or a file in a folder that does not exist. Temporary files a writer uses
 * (`NAME.partial`, `NAME.tmp`) belong in `outputs` too.
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
}
