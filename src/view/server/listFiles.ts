import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FileEntry, FileKind, FileListing } from '../protocol.js';
import { isUnder, relativeTo, resolveUnder } from './resolveUnder.js';

/** Micro-Manager's series files (as openStack recognizes them). */
const SERIES = /_MMStack(?:_[^_]+?)?(?:_\d+)?\.ome\.tiff?$/i;

/**
 * A folder's entries under the root, for the page's file list: folders, TIFF stacks, series
 * files, CSVs; hidden names (a leading dot) and symbolic links that lead out of the root left out.
 * @param root - the root's real path
 * @param dir - the folder, relative to the root
 * @throws ForbiddenPathError, MissingPathError (resolveUnder)
 */
export function listFiles(root: string, dir: string): FileListing {
  const folder = resolveUnder(root, dir === '' ? '.' : dir);
  const entries: FileEntry[] = [];
  for (const name of readdirSync(folder).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))) {
    if (name.startsWith('.')) continue;
    let real: string;
    try {
      real = realpathSync(join(folder, name));
    } catch {
      continue; // a dangling link
    }
    if (!isUnder(root, real)) continue;
    let kind: FileKind;
    try {
      kind = statSync(real).isDirectory() ? 'folder' : kindOf(name);
    } catch {
      continue;
    }
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
