import type { FileSink } from '../../src/io/FileSink.js';

/** A sink holding bytes in memory that fails with ENOSPC once `capacity` bytes would be exceeded. */
export function fullDisk(capacity: number): FileSink & { bytes: Uint8Array; length: number } {
  const sink = {
    bytes: new Uint8Array(capacity),
    length: 0,
    write(bytes: Uint8Array, offset: number, length: number, position: number): number {
      // A short write up to the capacity, then ENOSPC, as a full file system answers.
      const room = capacity - position;
      if (room <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
      const n = Math.min(room, length);
      sink.bytes.set(bytes.subarray(offset, offset + n), position);
      sink.length = Math.max(sink.length, position + n);
      return n;
    },
    truncate(length: number) {
      sink.length = length;
    },
    sync() {},
    close() {},
  };
  return sink;
}
