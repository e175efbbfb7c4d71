import { FileSource } from '../../src/io/FileSource.js';

/**
 * Count the read system calls made on one file by any {@link FileSource} of this process, from
 * now until `stop()`: unlike a process-wide count, other tests running in the same process
 * (as in `npm run test:unit`) do not add to it.
 * @param path - the file, as passed to the reader
 */
export function countReads(path: string): { readonly count: number; stop(): void } {
  let count = 0;
  const listener = (source: FileSource) => {
    if (source.path === path) count++;
  };
  FileSource.readListeners.add(listener);
  return {
    get count() {
      return count;
    },
    stop: () => FileSource.readListeners.delete(listener),
  };
}
