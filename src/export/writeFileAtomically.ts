import { AtomicFile } from '../io/AtomicFile.js';

/**
 * The temporary name {@link writeFileAtomically} writes before renaming (outputs checks include it).
 * @param path - the final file
 */
export const temporaryPath: (path: string) => string = AtomicFile.temporaryPath;

/**
 * Write a file atomically ({@link AtomicFile}: a temporary name, flushed, then renamed), so a
 * viewer refreshing it (the live preview) never reads half a file and a failed write never
 * replaces a good file.
 * @param path - the file
 * @param bytes - its contents (text as UTF-8)
 * @throws FileWriteError naming the file and the cause (the temporary file is removed)
 */
export function writeFileAtomically(path: string, bytes: Uint8Array | string): void {
  const file = new AtomicFile(path);
  try {
    file.append(bytes);
    file.commit();
  } catch (error) {
    throw file.fail(error);
  }
}
