import { renameSync, writeFileSync } from 'node:fs';

/**
 * Write a file atomically (temporary name, then rename), so a viewer refreshing it (the live
 * preview) never reads half a file.
 * @param path - the file
 * @param bytes - its contents
 */
export function writeFileAtomically(path: string, bytes: Uint8Array): void {
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
}
