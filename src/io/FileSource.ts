import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Positional reads from one open file (geotiff.js's "give me byte ranges" contract, for a local
 * file): opened once, read at positions with `pread`, closed once. Reads are synchronous: from
 * the page cache a 128 KB frame takes tens of microseconds, far less than an asynchronous
 * read's trip through libuv's thread pool, and the frame source yields to the event loop
 * between frames.
 *
 * A small read-ahead window serves the many small reads of TIFF directories (entries, then
 * out-of-line values that usually follow them) with one system call.
 */
export class FileSource {
  /** The file's path (for error messages). */
  readonly path: string;
  private fd: number;
  private readonly window: Uint8Array;
  private windowStart = 0;
  private windowLength = 0;
  /** The size the file had when last asked, bytes. */
  private knownSize = -1;
  /** Read system calls made by this source. */
  reads = 0;
  /** Read system calls made by all sources of the process (tests check that unsubscribing stops reading). */
  static totalReads = 0;

  /**
   * @param path - file to open for reading
   * @param windowBytes - read-ahead window for small reads @default 65536
   */
  constructor(path: string, windowBytes = 65536) {
    this.path = path;
    this.fd = openSync(path, 'r');
    this.window = new Uint8Array(windowBytes);
  }

  /**
   * Size of the file in bytes (it may grow while a camera writes it). With `atLeast`, the size
   * last seen is returned without a system call when it is already that large (a file only
   * grows: the checks of every frame's extent then cost nothing — fstat on each frame and
   * directory entry took ~2.5 % of a localization run); otherwise the file is asked.
   * @param atLeast - the bytes the caller needs the file to hold @default 0 (always ask)
   */
  size(atLeast = 0): number {
    if (atLeast > 0 && this.knownSize >= atLeast) return this.knownSize;
    this.knownSize = fstatSync(this.fd).size;
    return this.knownSize;
  }

  /** Forget the read-ahead window (call when the file may have changed, e.g. in follow mode). */
  invalidate(): void {
    this.windowLength = 0;
  }

  /**
   * Read `target.length` bytes at `position` into `target` (large reads go straight to it).
   * @returns the number of bytes read (less than asked at the end of the file)
   */
  readInto(position: number, target: Uint8Array): number {
    const length = target.length;
    if (length >= this.window.length >> 2) return this.pread(target, 0, length, position);
    const end = position + length;
    if (!(position >= this.windowStart && end <= this.windowStart + this.windowLength)) {
      this.windowStart = position;
      this.windowLength = this.pread(this.window, 0, this.window.length, position);
      if (end > this.windowStart + this.windowLength) {
        const available = Math.max(0, this.windowStart + this.windowLength - position);
        target.set(this.window.subarray(0, available));
        return available;
      }
    }
    const from = position - this.windowStart;
    target.set(this.window.subarray(from, from + length));
    return length;
  }

  /**
   * Bytes at `position` as a view (valid until the next read; copy what you keep).
   * @returns a view of at most `length` bytes (fewer at the end of the file)
   */
  view(position: number, length: number): Uint8Array {
    if (length > this.window.length) {
      const out = new Uint8Array(length);
      return out.subarray(0, this.readInto(position, out));
    }
    const end = position + length;
    if (!(position >= this.windowStart && end <= this.windowStart + this.windowLength)) {
      this.windowStart = position;
      this.windowLength = this.pread(this.window, 0, this.window.length, position);
    }
    const from = position - this.windowStart;
    return this.window.subarray(from, Math.min(from + length, this.windowLength));
  }

  /** Close the file; further reads throw. */
  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }

  private pread(target: Uint8Array, offset: number, length: number, position: number): number {
    // A position no file can have (a corrupt 64-bit offset) reads nothing, like one past the end.
    if (!(Number.isSafeInteger(position) && position >= 0)) return 0;
    let done = 0;
    while (done < length) {
      this.reads++;
      FileSource.totalReads++;
      const n = readSync(this.fd, target, offset + done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }
}
