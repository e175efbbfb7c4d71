import { FitStatus } from '../fit/FitStatus.js';
import type { Column } from '../table/columns.js';
import { csvHeader, tableColumns } from '../table/columns.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import { CsvFile } from './CsvFile.js';
import type { FileSink } from '../io/FileSink.js';

export { partialPath } from './CsvFile.js';


/** Options of {@link LocalizationCsvWriter}. */
export interface CsvWriterOptions {
  /** Write every fit, not only converged ones (the status column tells them apart). @default false */
  includeAllFits?: boolean;
  /** Where the bytes go. @default the file `PATH.partial` ({@link openFileSink}) */
  sink?: FileSink;
  /** A 3-D run: the z columns too (z, uncertainty_z, sigma1, sigma2). @default false */
  astigmatic?: boolean;
}

/**
 * Writes localization batches as ThunderSTORM-compatible CSV while frames complete: the header
 * of docs/design.md §2 verbatim, then our extra columns; values unquoted, `.` decimals, `\n`
 * line ends, ids from 1; digits are written straight into a reused byte buffer.
 *
 * Rows go to `PATH.partial`, one frame per write ({@link CsvFile}): a write that fails (disk
 * full, I/O error) throws a FileWriteError naming the file, and the file is first cut back to
 * the last whole frame, so it never ends mid-row. {@link commit} flushes it and gives it its
 * final name; {@link abandon} closes it and leaves it under the temporary name.
 */
export class LocalizationCsvWriter {
  /** The final path. */
  readonly path: string;
  /** The temporary path rows are written to until the run ends. */
  readonly partialPath: string;
  /** Rows written so far (whole frames). */
  rows = 0;
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
    this.columns = tableColumns(options.astigmatic ?? false);
    this.decimals = this.columns.map((c) => c.decimals);
    this.values = new Array(this.columns.length).fill(undefined);
    this.file = new CsvFile(path, csvHeader(this.columns), options.sink);
    this.partialPath = this.file.partialPath;
  }

  /**
   * Append the rows of one frame (converged fits only unless `includeAllFits`).
   * @returns the number of rows written
   * @throws FileWriteError when the write fails (the file then ends with the previous frame)
   */
  write(batch: LocalizationBatch): number {
    const out = this.file.buffer;
    out.length = 0;
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
    this.file.flush();
    this.rows += written;
    return written;
  }

  /**
   * Flush the rows to the device, close, and move them to the final path (replacing any file
   * there). Call once the run's record is safe: the rows then stand under their final name.
   * @throws FileWriteError when the flush or the rename fails (the rows stay in `PATH.partial`)
   */
  commit(): void {
    this.file.commit();
  }

  /** Close, leaving the rows (whole frames) in `PATH.partial`. Never throws. */
  abandon(): void {
    this.file.abandon();
  }
}
