import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { FitStatus } from '../fit/FitStatus.js';
import { CSV_HEADER, LOCALIZATION_COLUMNS } from '../table/columns.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';

/** Options of {@link LocalizationCsvWriter}. */
export interface CsvWriterOptions {
  /** Write every fit, not only converged ones (the status column tells them apart). @default false */
  includeAllFits?: boolean;
}

/**
 * Writes localization batches as ThunderSTORM-compatible CSV while frames complete: the header
 * of design.md §2 verbatim, then our extra columns; values unquoted, `.` decimals, `\n` line
 * ends, ids from 1. Rows go to `PATH.partial`, renamed to `PATH` by {@link close}, also after
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
    let text = '';
    let written = 0;
    for (let i = 0; i < batch.count; i++) {
      if (!this.includeAllFits && batch.status[i] !== FitStatus.converged) continue;
      const id = this.rows + written + 1;
      let line = '';
      for (const column of LOCALIZATION_COLUMNS) {
        const value = column.key === 'id' ? id : column.key === 'frame' ? batch.frame : (batch[column.key] as ArrayLike<number>)[i];
        line += (line ? ',' : '') + (column.decimals === 0 ? String(value) : format(value, column.decimals));
      }
      text += `${line}\n`;
      written++;
    }
    if (text) writeSync(this.fd, text);
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

function format(value: number, decimals: number): string {
  return Number.isFinite(value) ? value.toFixed(decimals) : 'NaN';
}
