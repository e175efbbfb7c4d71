import { InputFileError } from '../errors/InputFileError.js';
import { columnName } from './columnName.js';
import { CsvTableReader, printable } from './CsvTableReader.js';

export { columnName } from './columnName.js';

/**
 * A whole localization table in memory, every column kept: the CSV's headers in order and one
 * Float64Array per column. Ours, ThunderSTORM's, or any CSV with frame, x and y columns; the
 * post-processing steps (drift, merge, filter) read one, change or select rows, and write it.
 */
export interface LocalizationTable {
  /** Column headers as in the file (quotes removed), in order. */
  readonly header: readonly string[];
  /** The columns, in the headers' order. */
  readonly columns: readonly Float64Array[];
  /** Number of rows. */
  readonly rows: number;
}

/**
 * The index of the first column whose name (without unit) is one of `names`, or −1.
 * @param table - the table
 * @param names - names without units, e.g. `uncertainty_x`, `uncertainty`
 */
export function findColumn(table: Pick<LocalizationTable, 'header'>, ...names: string[]): number {
  return table.header.findIndex((h) => names.includes(columnName(h)));
}

/**
 * The indices of a table's frame, x and y columns (nm), or an error naming the file.
 * @param table - the table (or its header)
 * @param path - the table's file, named in the error
 * @throws InputFileError when one of them is missing
 */
export function positionColumns(table: Pick<LocalizationTable, 'header'>, path: string): { frame: number; x: number; y: number } {
  const frame = findColumn(table, 'frame');
  const x = findColumn(table, 'x', 'x_nm');
  const y = findColumn(table, 'y', 'y_nm');
  if (frame < 0 || x < 0 || y < 0) throw new InputFileError(`${path}: needs columns "frame", "x [nm]" and "y [nm]"; its header is: ${printable(table.header.join(','))}`);
  return { frame, x, y };
}

/** The frame, x and y columns of a table (nm), or an error naming the file. */
export function positions(table: LocalizationTable, path: string): { frame: Float64Array; x: Float64Array; y: Float64Array } {
  const c = positionColumns(table, path);
  return { frame: table.columns[c.frame], x: table.columns[c.x], y: table.columns[c.y] };
}

/**
 * Read a CSV table whole (in blocks, {@link CsvTableReader}): every column as numbers.
 * @param path - the CSV
 * @throws InputFileError naming the file when it is not a numeric CSV
 */
export function readTable(path: string): LocalizationTable {
  const reader = new CsvTableReader(path);
  const header = reader.header;
  const parts: Float64Array[][] = header.map(() => []);
  let rows = 0;
  for (const chunk of reader.chunks()) {
    chunk.columns.forEach((c, k) => parts[k].push(c));
    rows += chunk.rows;
  }
  const columns = parts.map((blocks) => {
    const out = new Float64Array(rows);
    let at = 0;
    for (const b of blocks) {
      out.set(b, at);
      at += b.length;
    }
    return out;
  });
  return { header, columns, rows };
}

/**
 * Read a localization CSV whole ({@link readTable}), checking it has frame, x and y.
 * @param path - the CSV
 * @throws InputFileError naming the file when it is not a CSV with frame, x and y
 */
export function readLocalizationTable(path: string): LocalizationTable {
  const table = readTable(path);
  positions(table, path);
  return table;
}

/**
 * A table of the rows `keep` selects (indices, in the order given), every column kept.
 * @param table - the table
 * @param keep - row indices
 */
export function selectRows(table: LocalizationTable, keep: ArrayLike<number>): LocalizationTable {
  const columns = table.columns.map((c) => Float64Array.from({ length: keep.length }, (_, i) => c[keep[i]]));
  return { header: table.header, columns, rows: keep.length };
}
