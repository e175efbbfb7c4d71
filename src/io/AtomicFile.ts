import { renameSync, rmSync } from 'node:fs';
import { FileWriteError } from '../errors/FileWriteError.js';
import type { FileSink } from './FileSink.js';
import { openFileSink } from './FileSink.js';

/**
 * An output file that appears under its name only when whole: it is written under a temporary
 * name ({@link AtomicFile.temporaryPath}, `NAME.tmp`), flushed to the device and renamed by
 * {@link commit}; {@link abandon} removes the temporary file. A failed write throws a
 * {@link FileWriteError} naming the final file and the cause (no space left on the device, …),
 * so a full disk never leaves a cut file under the final name, nor a file that was there before
 * replaced. The one mechanism behind every whole-file writer (TIFF, HDF5, YAML, CSV truth,
 * PNG, JSON); the streamed localization tables keep their rows in `NAME.partial` instead.
 *
 * Files written together (a stack and its truth) are committed together with
 * {@link AtomicFile.commitAll}, so a failure in one leaves none of them.
 */
export class AtomicFile {
  /**
   * The temporary name an output is written under until it is whole (output checks list it).
   * @param path - the final file
   */
  static temporaryPath(path: string): string {
    return `${path}.tmp`;
  }

  /**
   * Reserve the temporary name of `path` for a writer that creates the file by name itself (a
   * library writing HDF5): any stale temporary file is removed; nothing is opened.
   * @param path - the final file
   */
  static reserve(path: string): AtomicFile {
    return new AtomicFile(path, null);
  }

  /**
   * Flush and close every file, then give each its final name; on the first failure the files
   * not yet renamed are removed.
   * @param files - files written together
   * @throws FileWriteError naming the file that failed
   */
  static commitAll(files: readonly AtomicFile[]): void {
    let k = 0;
    try {
      for (const file of files) file.finish();
      for (; k < files.length; k++) files[k].rename();
    } catch (error) {
      AtomicFile.abandonAll(files.slice(k));
      throw error;
    }
  }

  /**
   * {@link abandon} every file. Never throws.
   * @param files - files written together
   */
  static abandonAll(files: readonly AtomicFile[]): void {
    for (const file of files) file.abandon();
  }

  /** The final name. */
  readonly path: string;
  /** The name the bytes are written under until {@link commit}. */
  readonly temporaryPath: string;
  private readonly sink: FileSink | undefined;
  /** The end of the bytes written so far (where {@link append} writes). */
  private end = 0;
  /** Writing; closed and waiting for its name; renamed or removed. */
  private state: 'writing' | 'closed' | 'done' = 'writing';

  /**
   * Create the temporary file of `path` (any stale one removed first, never followed if it is a
   * link).
   * @param path - the final file (replaced, when it exists, only by {@link commit})
   * @param sink - where the bytes go @default the temporary file ({@link openFileSink}); `null`: none ({@link AtomicFile.reserve})
   * @throws FileWriteError naming `path` when the temporary file cannot be created
   */
  constructor(path: string, sink?: FileSink | null) {
    this.path = path;
    this.temporaryPath = AtomicFile.temporaryPath(path);
    try {
      if (sink === null) rmSync(this.temporaryPath, { force: true });
      this.sink = sink === null ? undefined : (sink ?? openFileSink(this.temporaryPath));
    } catch (error) {
      throw new FileWriteError(path, error);
    }
  }

  /**
   * Write `length` bytes of `bytes` from `offset` at `position` (all of them: short writes are
   * continued), as a {@link FileSink} does.
   * @returns `length`
   * @throws FileWriteError naming the final file
   */
  write(bytes: Uint8Array, offset: number, length: number, position: number): number {
    const sink = this.open();
    let done = 0;
    try {
      while (done < length) done += sink.write(bytes, offset + done, length - done, position + done);
    } catch (error) {
      throw new FileWriteError(this.path, error);
    }
    this.end = Math.max(this.end, position + length);
    return length;
  }

  /**
   * Write after the bytes written so far.
   * @param data - bytes, or text (written as UTF-8)
   * @throws FileWriteError naming the final file
   */
  append(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.write(bytes, 0, bytes.length, this.end);
  }

  /**
   * Flush the file to the device, close it and give it its final name (replacing any file
   * there). On failure the temporary file is removed.
   * @throws FileWriteError naming the final file
   */
  commit(): void {
    AtomicFile.commitAll([this]);
  }

  /** Close and remove the temporary file, leaving the final name as it was. Never throws. */
  abandon(): void {
    if (this.state === 'done') return;
    const open = this.state === 'writing';
    this.state = 'done';
    try {
      if (open) this.sink?.close();
    } catch {
      // Closing after a failed write can fail again; the write's error is what matters.
    }
    try {
      rmSync(this.temporaryPath, { force: true });
    } catch {
      // A folder that refuses the removal refused the file too: there is nothing to remove.
    }
  }

  /**
   * Abandon the file after `error` and say what to throw: a system error of the write (ENOSPC,
   * EACCES, …) becomes a {@link FileWriteError} naming the final file; any other error (a bad
   * input found while writing) is returned as it is.
   * @param error - what the writing threw
   */
  fail(error: unknown): unknown {
    this.abandon();
    if (error instanceof FileWriteError) return error;
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? new FileWriteError(this.path, error) : error;
  }

  private open(): FileSink {
    if (this.state !== 'writing') throw new Error(`AtomicFile: ${this.path} written after it was committed or abandoned`);
    if (!this.sink) throw new Error(`AtomicFile: ${this.path} was reserved for a writer that opens it by name`);
    return this.sink;
  }

  /** Flush and close (the first half of a commit). */
  private finish(): void {
    if (this.state !== 'writing') throw new Error(`AtomicFile: ${this.path} committed after it was committed or abandoned`);
    try {
      this.sink?.sync();
    } catch (error) {
      this.abandon();
      throw new FileWriteError(this.path, error);
    }
    this.state = 'closed';
    try {
      this.sink?.close();
    } catch (error) {
      this.abandon();
      throw new FileWriteError(this.path, error);
    }
  }

  /** Give the finished file its final name (the second half of a commit). */
  private rename(): void {
    try {
      renameSync(this.temporaryPath, this.path);
    } catch (error) {
      this.abandon();
      throw new FileWriteError(this.path, error);
    }
    this.state = 'done';
  }
}
