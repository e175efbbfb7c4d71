import { DRIFT_DECIMALS, DRIFT_HEADERS } from '../table/driftPath.js';
import { ASTIGMATIC_COLUMNS, DETECTIONS_HEADER, LOCALIZATION_COLUMNS } from '../table/columns.js';
import type { LocalizationTable } from '../table/LocalizationTable.js';
import { CsvFile } from './CsvFile.js';
import type { FileSink } from '../io/FileSink.js';

/** Decimals written for the columns this project knows; others are written exactly. */
const DECIMALS = new Map<string, number>([
  ...[...LOCALIZATION_COLUMNS, ...ASTIGMATIC_COLUMNS].map((c) => [c.header, c.decimals] as const),
  [DETECTIONS_HEADER, 0],
  [DRIFT_HEADERS[1], DRIFT_DECIMALS],
  [DRIFT_HEADERS[2], DRIFT_DECIMALS],
]);

/** Rows of one write are flushed to the file in units of about this many bytes. */
const UNIT_BYTES = 1 << 20;

/**
 * Writes tables of any columns (a post-processing step's output: corrected, merged or filtered
 * localizations) as CSV while they come: every header quoted, values unquoted, `.` decimals,
 * `\n` line ends; the columns this project knows with their decimals, others in the shortest
 * form that reads back exactly. Rows go to `PATH.partial` in whole rows ({@link CsvFile}) until
 * {@link commit} gives the file its name.
 */
export class TableCsvWriter {
  /** The final path. */
  readonly path: string;
  /** The temporary path rows are written to until the run ends. */
  readonly partialPath: string;
  /** Rows written so far. */
  rows = 0;
  private readonly file: CsvFile;
  private readonly decimals: (number | undefined)[];

  /**
   * @param path - the CSV
   * @param header - the column headers (without quotes)
   * @param sink - where the bytes go @default the file `PATH.partial`
   * @throws FileWriteError when the temporary file cannot be created or the header written
   */
  constructor(path: string, readonly header: readonly string[], sink?: FileSink) {
    this.path = path;
    this.file = new CsvFile(path, header.map((h) => `"${h}"`).join(','), sink);
    this.partialPath = this.file.partialPath;
    this.decimals = header.map((h) => DECIMALS.get(h));
  }

  /**
   * Append a table's rows (its columns in this writer's header order).
   * @throws FileWriteError when a write fails (the file then ends with a whole row)
   */
  write(table: LocalizationTable): void {
    const out = this.file.buffer;
    const { columns } = table;
    let pending = 0;
    for (let r = 0; r < table.rows; r++) {
      for (let c = 0; c < columns.length; c++) {
        if (c > 0) out.byte(44); // ','
        const v = columns[c][r];
        const d = this.decimals[c];
        if (d !== undefined) out.fixed(v, d);
        else out.text(Number.isFinite(v) ? String(v) : 'NaN');
      }
      out.byte(10); // '\n'
      pending++;
      if (out.length > UNIT_BYTES) {
        this.file.flush();
        this.rows += pending;
        pending = 0;
      }
    }
    this.file.flush();
    this.rows += pending;
  }

  /** Flush, close and give the file its final name. @throws FileWriteError (rows stay in `PATH.partial`) */
  commit(): void {
    this.file.commit();
  }

  /** Close, leaving the rows in `PATH.partial`. Never throws. */
  abandon(): void {
    this.file.abandon();
  }
}
