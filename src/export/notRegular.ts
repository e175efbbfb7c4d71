import type { Stats } from 'node:fs';

/**
 * What a file that is not a plain file is, in words, for a refusal: "is a folder", "is a
 * named pipe (FIFO)", "is a device"…
 * @param stats - the file's `stat` (or `lstat`)
 */
export function notRegular(stats: Stats): string {
  if (stats.isDirectory()) return 'is a folder';
  if (stats.isFIFO()) return 'is a named pipe (FIFO), not a regular file';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'is a device, not a regular file';
  if (stats.isSocket()) return 'is a socket, not a regular file';
  if (stats.isSymbolicLink()) return 'is a symbolic link';
  return 'is not a regular file';
}
