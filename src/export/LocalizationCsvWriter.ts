import { FitStatus } from '../fit/FitStatus.js';
import type { Column } from '../table/columns.js';
import { csvHeader, tableColumns } from '../table/columns.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import { CsvFile } from './CsvFile.js';
import type { FileSink } from '../io/FileSink.js';

export { partialPath } from './CsvFile.js';

/**
 * Rows are written to the file in blocks of at least this many bytes (whole frames): one write
 * call per block, not per frame (a 256² frame of ~40 spots is ~8 KB of text: one call per ~8
 * frames). The rows of the last block wait in memory until the next write, {@link
 * LocalizationCsvWriter.flush}, commit or abandon.
 */
export const CSV_FLUSH_BYTES = 65536;

/** Options of {@link LocalizationCsvWriter}. */
export interface CsvWriterOptions {
  /** Write every fit, not only converged ones (the status column tells them apart). @default false */
  includeAllFits?: boolean;
  /** Where the bytes go. @default the file `PATH.partial` ({@link openFileSink}) */
  sink?: FileSink;
  /** A 3-D run: the z columns too (z, uncertainty_z, sigma1, sigma2). @default false */
  astigmatic?: boolean;
  /**
   * Bytes of rows held before they are written as one block of whole frames; 0 writes each
   * frame as it comes (follow mode: rows appear as the camera's frames are localized).
   * @default CSV_FLUSH_BYTES
   */
  flushBytes?: number;
}

/**
 * Writes localization batches as ThunderSTORM-compatible CSV while frames complete: the header
 * of docs/design.md §2 verbatim, then our extra columns; values unquoted, `.` decimals, `\n`
 * line ends, ids from 1; digits are written straight into a reused byte buffer.
 *
 * Rows go to `PATH.partial` in blocks of whole frames ({@link CsvFile}, at least `flushBytes`
 * each): a write that fails (disk full, I/O error) throws a FileWriteError naming the file, and
 * the file is first cut back to the last whole block, so it never ends mid-row. {@link flush}
 * writes the rows held; {@link commit} flushes them and gives the file its final name; {@link
 * abandon} writes what it can and leaves the file under the temporary name.
 */
export class LocalizationCsvWriter {
  /** The final path. */
  readonly path: string;
  /** The temporary path rows are written to until the run ends. */
  readonly partialPath: string;
  /** Rows written so far (whole frames), those held for the next block too; after a failed write, those in the file. */
  rows = 0;
  /** Rows in the file (written blocks). */
  private fileRows = 0;
  /** Frames whose rows are in the file (written blocks): after a failed write, what the file holds. */
  framesInFile = 0;
  /** The last frame whose rows are in the file (its number in the stack), or -1 before the first block. */
  lastFrameInFile = -1;
  /** Frames given to {@link write} since the last block, and the last of them. */
  private framesHeld = 0;
  private lastFrameHeld = -1;
  private readonly flushBytes: number;
  private readonly file: CsvFile;
  private readonly includeAllFits: boolean;
  private readonly columns: readonly Column[];
  private readonly decimals: number[];
  /** Each column's values in the batch being written. */
  private readonly values: (ArrayLike<number> | undefined)[];

  /**
   * @param path - the CSV to write (replaced when {@link commit} is called)
   * @param options - which fits to write, where the bytes go
   * @throws FileWriteError when the temporary file cannot be created or the header written
   */
  constructor(path: string, options: CsvWriterOptions = {}) {
    this.path = path;
    this.includeAllFits = options.includeAllFits ?? false;
    this.flushBytes = options.flushBytes ?? CSV_FLUSH_BYTES;
    this.columns = tableColumns(options.astigmatic ?? false);
    this.decimals = this.columns.map((c) => c.decimals);
    this.values = new Array(this.columns.length).fill(undefined);
    this.file = new CsvFile(path, csvHeader(this.columns), options.sink);
    this.partialPath = this.file.partialPath;
  }

  /**
   * Append the rows of one frame (converged fits only unless `includeAllFits`), written to the
   * file once the rows held reach `flushBytes`.
   * @returns the number of rows appended
   * @throws FileWriteError when the block's write fails (the file then ends with the previous
   *   block; the rows held are dropped)
   */
  write(batch: LocalizationBatch): number {
    const out = this.file.buffer;
    const { values, columns, decimals } = this;
    const n = columns.length;
    for (let c = 0; c < n; c++) {
      const key = columns[c].key;
      values[c] = key === 'id' || key === 'frame' ? undefined : (batch[key] as ArrayLike<number> | undefined);
    }
    let written = 0;
    for (let i = 0; i < batch.count; i++) {
      if (!this.includeAllFits && batch.status[i] !== FitStatus.converged) continue;
      for (let c = 0; c < n; c++) {
        if (c > 0) out.byte(44); // ','
        const column = values[c];
        // A 3-D column a batch lacks (no fit of it) reads NaN.
        const key = columns[c].key;
        const value = column ? column[i] : key === 'id' ? this.rows + written + 1 : key === 'frame' ? batch.frame : Number.NaN;
        out.fixed(value, decimals[c]);
      }
      out.byte(10); // '\n'
      written++;
    }
    this.rows += written;
    this.framesHeld++;
    this.lastFrameHeld = batch.frame;
    if (out.length >= this.flushBytes) this.flush();
    return written;
  }

  /**
   * Write the rows held to the file as one block.
   * @throws FileWriteError when the write fails (the file then ends with the previous block;
   *   {@link rows} counts the rows in it)
   */
  flush(): void {
    try {
      this.file.flush();
    } catch (error) {
      this.rows = this.fileRows;
      this.framesHeld = 0;
      throw error;
    }
    this.fileRows = this.rows;
    if (this.framesHeld > 0) {
      this.framesInFile += this.framesHeld;
      this.lastFrameInFile = this.lastFrameHeld;
      this.framesHeld = 0;
    }
  }

  /**
   * Write the rows held, flush the file to the device, close, and move it to the final path
   * (replacing any file there). Call once the run's record is safe: the rows then stand under
   * their final name.
   * @throws FileWriteError when a write, the flush or the rename fails (the rows written stay in `PATH.partial`)
   */
  commit(): void {
    this.flush();
    this.file.commit();
  }

  /** Write the rows held if it can, close, leaving the rows (whole frames) in `PATH.partial`. Never throws. */
  abandon(): void {
    try {
      this.flush();
    } catch {
      // The rows before the failed block stay; the caller has the first error.
    }
    this.file.abandon();
  }
}
