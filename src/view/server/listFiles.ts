import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FileEntry, FileKind, FileListing } from '../protocol.js';
import { ForbiddenPathError, isHidden, isUnder, relativeTo, resolveUnder } from './resolveUnder.js';

/** Micro-Manager's series files (as openStack recognizes them). */
const SERIES = /_MMStack(?:_[^_]+?)?(?:_\d+)?\.ome\.tiff?$/i;

/**
 * A folder's entries under the root, for the page's file list: folders, TIFF stacks, series
 * files, CSVs; hidden names (a leading dot) and symbolic links that lead out of the root left out.
 * @param root - the root's real path
 * @param dir - the folder, relative to the root
 * @param dataOnly - only the root's own stacks and CSVs (no folders, no other files): the
 *   listing of a root that is a file PATH's folder @default false
 * @throws ForbiddenPathError, MissingPathError (resolveUnder)
 */
export function listFiles(root: string, dir: string, dataOnly = false): FileListing {
  const folder = resolveUnder(root, dir === '' ? '.' : dir);
  if (dataOnly && folder !== root) throw new ForbiddenPathError(`${dir}: started on a file, the view lists only that file's folder`);
  const entries: FileEntry[] = [];
  for (const name of readdirSync(folder).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))) {
    if (name.startsWith('.')) continue;
    let real: string;
    try {
      real = realpathSync(join(folder, name));
    } catch {
      continue; // a dangling link
    }
    if (!isUnder(root, real) || relativeTo(root, real).split('/').some(isHidden)) continue;
    let kind: FileKind;
    try {
      kind = statSync(real).isDirectory() ? 'folder' : kindOf(name);
    } catch {
      continue;
    }
    if (dataOnly && kind !== 'stack' && kind !== 'series' && kind !== 'csv') continue;
    entries.push({ name, path: relativeTo(root, join(folder, name)), kind });
  }
  return { dir: relativeTo(root, folder), entries };
}

/** What a file is by its name. */
function kindOf(name: string): FileKind {
  if (SERIES.test(name)) return 'series';
  if (/\.tiff?$/i.test(name)) return 'stack';
  if (/\.csv$/i.test(name)) return 'csv';
  return 'other';
}
