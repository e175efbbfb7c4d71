import { renameSync } from 'node:fs';
import { FileWriteError } from '../errors/FileWriteError.js';
import { AsciiBuffer } from './AsciiBuffer.js';
import type { FileSink } from '../io/FileSink.js';
import { openFileSink } from '../io/FileSink.js';

/**
 * The temporary name a CSV is written under until its run ends.
 * @param path - the CSV's final path
 */
export function partialPath(path: string): string {
  return `${path}.partial`;
}

/**
 * A CSV file written in whole units (a frame's rows, a block of a table): text goes into
 * {@link buffer}, {@link flush} writes it to `PATH.partial` as one unit. A write that fails (disk
 * full, I/O error) throws a {@link FileWriteError} naming the file, and the file is first cut back
 * to the last whole unit, so it never ends mid-row. {@link commit} flushes it to the device and
 * gives it its final name; {@link abandon} closes it and leaves it under the temporary name.
 */
export class CsvFile {
  /** The final path. */
  readonly path: string;
  /** The temporary path rows are written to until the run ends. */
  readonly partialPath: string;
  /** The text of the next unit. */
  readonly buffer = new AsciiBuffer();
  /** Bytes of whole units written so far. */
  private bytes = 0;
  private readonly sink: FileSink;
  private closed = false;

  /**
   * @param path - the CSV to write (replaced when {@link commit} is called)
   * @param header - the header line, without line end
   * @param sink - where the bytes go @default the file `PATH.partial` ({@link openFileSink})
   * @throws FileWriteError when the temporary file cannot be created or the header written
   */
  constructor(path: string, header: string, sink?: FileSink) {
    this.path = path;
    this.partialPath = partialPath(path);
    try {
      this.sink = sink ?? openFileSink(this.partialPath);
    } catch (error) {
      throw new FileWriteError(this.partialPath, error);
    }
    this.buffer.text(`${header}\n`);
    this.flush();
  }

  /**
   * Write the buffer as one unit at the end of the whole units; on failure cut back to them
   * (the unit's text is dropped: the buffer is empty after either).
   * @throws FileWriteError naming the temporary file
   */
  flush(): void {
    const out = this.buffer;
    let done = 0;
    try {
      while (done < out.length) done += this.sink.write(out.bytes, done, out.length - done, this.bytes + done);
    } catch (error) {
      out.length = 0;
      try {
        this.sink.truncate(this.bytes);
      } catch {
        // The cut failed too (the device is gone): the first error is the one to report.
      }
      throw new FileWriteError(this.partialPath, error);
    }
    this.bytes += out.length;
    out.length = 0;
  }

  /**
   * Flush the rows to the device, close, and move them to the final path (replacing any file
   * there). Call once the run's record is safe: the rows then stand under their final name.
   * @throws FileWriteError when the flush or the rename fails (the rows stay in `PATH.partial`)
   */
  commit(): void {
    if (this.closed) return;
    try {
      this.sink.sync();
      this.close();
      renameSync(this.partialPath, this.path);
    } catch (error) {
      this.close();
      throw new FileWriteError(this.path, error);
    }
  }

  /** Close, leaving the rows (whole units) in `PATH.partial`. Never throws. */
  abandon(): void {
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.sink.close();
    } catch {
      // Closing after a failed write can fail again; the write's error is what matters.
    }
  }
}
