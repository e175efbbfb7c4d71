import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { AsciiBuffer } from './AsciiBuffer.js';
import { FitStatus } from '../fit/FitStatus.js';
import { CSV_HEADER, LOCALIZATION_COLUMNS } from '../table/columns.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';

const COLUMNS = LOCALIZATION_COLUMNS.length;
const DECIMALS = LOCALIZATION_COLUMNS.map((c) => c.decimals);

/** Options of {@link LocalizationCsvWriter}. */
export interface CsvWriterOptions {
  /** Write every fit, not only converged ones (the status column tells them apart). @default false */
  includeAllFits?: boolean;
}

/**
 * Writes localization batches as ThunderSTORM-compatible CSV while frames complete: the header
 * of design.md §2 verbatim, then our extra columns; values unquoted, `.` decimals, `\n` line
 * ends, ids from 1; digits are written straight into a reused byte buffer ({@link AsciiBuffer}). Rows go to `PATH.partial`, renamed to `PATH` by {@link close}, also after
 * an error, so the rows of every completed frame are kept.
 */
export class LocalizationCsvWriter {
  /** The final path. */
  readonly path: string;
  /** The temporary path rows are written to until the run ends. */
  readonly partialPath: string;
  /** Rows written so far. */
  rows = 0;
  private readonly fd: number;
  private readonly includeAllFits: boolean;
  private closed = false;
  /** The text of one write, and each column's values in the batch being written. */
  private readonly buffer = new AsciiBuffer();
  private readonly values: (ArrayLike<number> | undefined)[] = new Array(COLUMNS).fill(undefined);

  /**
   * @param path - the CSV to write (replaced when the run ends)
   * @param options - which fits to write
   */
  constructor(path: string, options: CsvWriterOptions = {}) {
    this.path = path;
    this.partialPath = `${path}.partial`;
    this.includeAllFits = options.includeAllFits ?? false;
    this.fd = openSync(this.partialPath, 'w');
    writeSync(this.fd, `${CSV_HEADER}\n`);
  }

  /**
   * Append the rows of one frame (converged fits only unless `includeAllFits`).
   * @returns the number of rows written
   */
  write(batch: LocalizationBatch): number {
    const out = this.buffer;
    out.length = 0;
    const values = this.values;
    for (let c = 0; c < COLUMNS; c++) {
      const key = LOCALIZATION_COLUMNS[c].key;
      values[c] = key === 'id' || key === 'frame' ? undefined : (batch[key] as ArrayLike<number>);
    }
    let written = 0;
    for (let i = 0; i < batch.count; i++) {
      if (!this.includeAllFits && batch.status[i] !== FitStatus.converged) continue;
      for (let c = 0; c < COLUMNS; c++) {
        if (c > 0) out.byte(44); // ','
        const column = values[c];
        const value = column ? column[i] : LOCALIZATION_COLUMNS[c].key === 'id' ? this.rows + written + 1 : batch.frame;
        out.fixed(value, DECIMALS[c]);
      }
      out.byte(10); // '\n'
      written++;
    }
    if (out.length > 0) writeSync(this.fd, out.bytes, 0, out.length);
    this.rows += written;
    return written;
  }

  /**
   * Close and move the rows to the final path — also after an error, so that the rows of every
   * completed frame are kept (the sidecar says whether the run completed).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    renameSync(this.partialPath, this.path);
  }
}

