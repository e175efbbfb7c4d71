import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { FileWriteError } from '../errors/FileWriteError.js';

/**
 * The temporary name {@link writeFileAtomically} writes before renaming (outputs checks include it).
 * @param path - the final file
 */
export function temporaryPath(path: string): string {
  return `${path}.tmp`;
}

/**
 * Write a file atomically (a temporary name, then rename), so a viewer refreshing it (the live
 * preview) never reads half a file and a failed write never replaces a good file.
 * @param path - the file
 * @param bytes - its contents
 * @throws FileWriteError naming the file and the cause (the temporary file is removed)
 */
export function writeFileAtomically(path: string, bytes: Uint8Array | string): void {
  const temporary = temporaryPath(path);
  try {
    writeFileSync(temporary, bytes);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new FileWriteError(path, error);
  }
}
