import { closeSync, fsyncSync, ftruncateSync, openSync, rmSync, writeSync } from 'node:fs';

/**
 * Where a streaming writer's bytes go: positional writes to one file, cut back, flushed,
 * closed. {@link openFileSink} is the file system's; tests pass one that fails on purpose.
 */
export interface FileSink {
  /** Write `length` bytes of `bytes` at `position`; returns the bytes written (may be fewer). */
  write(bytes: Uint8Array, offset: number, length: number, position: number): number;
  /** Cut the file to `length` bytes. */
  truncate(length: number): void;
  /** Flush the file to the device (before it is renamed to its final name). */
  sync(): void;
  /** Close the file. */
  close(): void;
}

/**
 * Open `path` for writing, replacing any earlier file of that name (removed first, so a
 * symbolic link left at that name is replaced, not followed).
 * @param path - the file
 */
export function openFileSink(path: string): FileSink {
  rmSync(path, { force: true });
  const fd = openSync(path, 'wx');
  return {
    write: (bytes, offset, length, position) => writeSync(fd, bytes, offset, length, position),
    truncate: (length) => ftruncateSync(fd, length),
    sync: () => fsyncSync(fd),
    close: () => closeSync(fd),
  };
}
