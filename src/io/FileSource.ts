import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Bytes a read that misses the read-ahead window fetches when reads do not walk through nearby
 * bytes: a page, which holds a TIFF directory of up to ~340 entries with its nearby values.
 */
export const SMALL_READ_BYTES = 4096;

/**
 * Positional reads from one open file (geotiff.js's "give me byte ranges" contract, for a local
 * file): opened once, read at positions with `pread`, closed once. Reads are synchronous: from
 * the page cache a 128 KB frame takes tens of microseconds, far less than an asynchronous
 * read's trip through libuv's thread pool, and the frame source yields to the event loop
 * between frames.
 *
 * A read-ahead window serves the many small reads of TIFF directories (entries, then
 * out-of-line values that usually follow them) with one system call. It fills as much as the
 * reads show they need: a miss reads one page ({@link SMALL_READ_BYTES}) unless it lies less than
 * a quarter window past the end of the previous fill (reads that walk forward through nearby
 * bytes: directories of small frames or written back to back, values some way after their
 * entries), which fills the whole window, then serving at least four such reads. A chain of
 * directories one large frame apart (a 256×256 frame's directory every 131 KB) thus costs a page
 * per directory, not a window (one 64 KB read a frame took 0.7 s to open a 3 000-frame stack).
 */
export class FileSource {
  /** The file's path (for error messages). */
  readonly path: string;
  private fd: number;
  private readonly window: Uint8Array;
  private windowStart = 0;
  private windowLength = 0;
  /** Where the last fill of the window ended (-∞ before the first). */
  private lastFillEnd = Number.NEGATIVE_INFINITY;
  /** The size the file had when last asked, bytes. */
  private knownSize = -1;
  /** Read system calls made by this source. */
  reads = 0;
  /** Bytes those calls read. */
  bytesRead = 0;
  /**
   * A test hook: called with the source after each read system call of any source of the
   * process (tests count one file's reads with it, to check that unsubscribing stops reading);
   * empty by default, and then one size check per read.
   */
  static readonly readListeners = new Set<(source: FileSource) => void>();

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
      this.fill(position, length);
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
    if (!(position >= this.windowStart && end <= this.windowStart + this.windowLength)) this.fill(position, length);
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

  /**
   * Refill the window from `position` with at least `length` bytes (fewer at the end of the
   * file): the whole window when `position` lies less than a quarter window past the end of
   * the previous fill, or less than a window before its start (small frames whose pixels
   * precede their directory: reading a frame's directory then its pixels walks back a little,
   * then on), a page otherwise (the directories of large frames, far apart).
   */
  private fill(position: number, length: number): void {
    const nearby = position > this.windowStart - this.window.length && position < this.lastFillEnd + (this.window.length >> 2);
    const want = nearby ? this.window.length : Math.min(this.window.length, Math.max(length, SMALL_READ_BYTES));
    this.windowStart = position;
    this.windowLength = this.pread(this.window, 0, want, position);
    this.lastFillEnd = position + want;
  }

  private pread(target: Uint8Array, offset: number, length: number, position: number): number {
    // A position no file can have (a corrupt 64-bit offset) reads nothing, like one past the end.
    if (!(Number.isSafeInteger(position) && position >= 0)) return 0;
    let done = 0;
    while (done < length) {
      this.reads++;
      if (FileSource.readListeners.size > 0) for (const listener of FileSource.readListeners) listener(this);
      const n = readSync(this.fd, target, offset + done, length - done, position + done);
      if (n === 0) break;
      done += n;
      this.bytesRead += n;
    }
    return done;
  }
}
