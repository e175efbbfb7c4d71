import { InputFileError } from '../errors/InputFileError.js';
import type { FaultyRows, RowFaultTally } from '../table/checkRows.js';
import { describeFault, faultValue, ROW_FAULT, rowFault } from '../table/checkRows.js';
import { CsvTableReader, printable, TABLE_BLOCK_ROWS } from '../table/CsvTableReader.js';
import { lineOfRow } from '../table/lineOfRow.js';

/** A table of points (localizations or truth): frame numbers and positions in nm, and the rest. */
export interface PointTable {
  /** Frame number of each row (as in the file, 1-based for ours and ThunderSTORM's). */
  frame: Int32Array;
  /** x, nm. */
  x: Float64Array;
  /** y, nm. */
  y: Float64Array;
  /** Other numeric columns by header (e.g. "uncertainty_x [nm]"). */
  columns: Map<string, Float64Array>;
}

const X_NAMES = ['x [nm]', 'x_nm', 'x'];
const Y_NAMES = ['y [nm]', 'y_nm', 'y'];
/** Headers of a z column in nm (ours, ThunderSTORM's, and bare), first found wins. */
export const Z_NAMES: readonly string[] = ['z [nm]', 'z_nm', 'z'];

/**
 * A table's z column in nm (the first of {@link Z_NAMES} among its other columns), or undefined
 * when it has none (2-D data, or a table read with positions only).
 * @param table - a table from {@link readPointTable} or {@link pointTableChunks}
 */
export function zColumn(table: PointTable): Float64Array | undefined {
  for (const name of Z_NAMES) {
    const z = table.columns.get(name);
    if (z) return z;
  }
  return undefined;
}

/**
 * The rows of a localization or truth CSV (ours, ThunderSTORM's, or any with `frame`,
 * `x [nm]`, `y [nm]` columns; quoted or bare headers) in blocks of `rows`, in file order, read
 * in fixed memory (for exports of tables of any length). A row whose frame, x or y is missing,
 * infinite or absurd ({@link rowFault}) is refused with its line, or, when `skipped` is given,
 * left out and noted there (for a warning).
 * @param path - the CSV file
 * @param rows - rows per block @default 65536
 * @param skipped - where to note the rows left out @default none: such a row is refused
 * @param uncertainties - uncertainty columns (headers) checked as well, where present @default none
 * @throws InputFileError naming the file and the missing column or the bad line
 */
export function* pointTableChunks(path: string, rows = 65536, skipped?: RowFaultTally, uncertainties: readonly string[] = []): Generator<PointTable, void, undefined> {
  const reader = new CsvTableReader(path);
  const fi = reader.find('frame');
  const xi = reader.find(...X_NAMES);
  const yi = reader.find(...Y_NAMES);
  if (fi < 0 || xi < 0 || yi < 0) {
    reader.close();
    throw new InputFileError(`${path}: needs columns "frame", "x [nm]" and "y [nm]"; its header is: ${printable(reader.header.join(','))}`);
  }
  const checked = uncertainties.map((h) => reader.find(h)).filter((c) => c >= 0);
  let rowBase = 0;
  for (const chunk of reader.chunks(rows)) {
    let columns = chunk.columns;
    let kept = 0;
    const [f, x, y] = [columns[fi], columns[xi], columns[yi]];
    for (let r = 0; r < chunk.rows; r++) {
      let fault = rowFault(f[r], x[r], y[r]);
      let u = 0;
      for (let k = 0; k < checked.length && fault === ROW_FAULT.none; k++) {
        u = columns[checked[k]][r];
        fault = rowFault(f[r], x[r], y[r], u);
      }
      if (fault === ROW_FAULT.none) {
        // Usable rows move up over the ones left out (in place: the chunk is this generator's).
        if (kept !== r) for (const c of columns) c[kept] = c[r];
        kept++;
        continue;
      }
      const value = faultValue(fault, f[r], x[r], y[r], u);
      if (!skipped) {
        reader.close();
        throw new InputFileError(`${path}: line ${lineOfRow(path, rowBase + r)}: ${describeFault(fault, value)}; every row needs a frame, x and y${checked.length > 0 ? ' and an uncertainty' : ''}`);
      }
      skipped.note(rowBase + r, fault, value);
    }
    rowBase += chunk.rows;
    if (kept < chunk.rows) columns = columns.map((c) => c.subarray(0, kept));
    const others = new Map<string, Float64Array>();
    reader.header.forEach((h, c) => {
      if (c !== fi && c !== xi && c !== yi) others.set(h, columns[c]);
    });
    yield { frame: Int32Array.from(columns[fi]), x: columns[xi], y: columns[yi], columns: others };
  }
}

/**
/**
 * A sentence on the rows a reader left out (for a warning), or undefined when none was.
 * @param path - the CSV
 * @param skipped - the rows noted by {@link pointTableChunks}
 */
export function skippedRowsWarning(path: string, skipped: FaultyRows): string | undefined {
  if (skipped.count === 0) return undefined;
  const rows = skipped.count === 1 ? '1 row' : `${skipped.count} rows`;
  return `${rows} of ${path} left out: no usable frame, x or y (the first at line ${lineOfRow(path, skipped.row)}: ${describeFault(skipped.fault, skipped.value)})`;
}

/**
 * Read a whole localization or truth CSV (see {@link pointTableChunks}), sorted by frame (rows
 * of one frame in file order). Each kept column is allocated once at the file's row capacity;
 * a table already in frame order is not copied again.
 * @param path - the CSV file
 * @param options - `positionsOnly`: keep frame, x and y only (an empty `columns`), as matching
 *   needs; `keep`: other columns kept even so, where the file has them (e.g. {@link Z_NAMES});
 *   `skipped`: where to note the rows left out (unusable frame, x or y), else such a row
 *   is refused @default { positionsOnly: false }
 * @throws InputFileError naming the file and the missing column or the bad line
 */
export function readPointTable(path: string, options: { positionsOnly?: boolean; keep?: readonly string[]; skipped?: RowFaultTally } = {}): PointTable {
  const kept = (name: string) => !options.positionsOnly || (options.keep?.includes(name) ?? false);
  const capacity = CsvTableReader.rowCapacity(path);
  const frame = new Int32Array(capacity);
  const x = new Float64Array(capacity);
  const y = new Float64Array(capacity);
  const others = new Map<string, Float64Array>();
  let n = 0;
  let inOrder = true;
  for (const chunk of pointTableChunks(path, TABLE_BLOCK_ROWS, options.skipped)) {
    const rows = chunk.frame.length;
    if (n + rows > capacity) throw new InputFileError(`${path}: changed while it was read (it grew); run the command again once it is complete`);
    if (rows > 0 && n > 0 && chunk.frame[0] < frame[n - 1]) inOrder = false;
    for (let r = 1; r < rows && inOrder; r++) if (chunk.frame[r] < chunk.frame[r - 1]) inOrder = false;
    frame.set(chunk.frame, n);
    x.set(chunk.x, n);
    y.set(chunk.y, n);
    for (const [name, column] of chunk.columns) {
      if (kept(name)) {
        let whole = others.get(name);
        if (!whole) others.set(name, (whole = new Float64Array(capacity)));
        whole.set(column, n);
      }
    }
    n += rows;
  }
  const columns = new Map<string, Float64Array>();
  for (const name of others.size ? others.keys() : headerOthers(path)) if (kept(name)) columns.set(name, others.get(name)?.subarray(0, n) ?? new Float64Array(0));
  if (inOrder) return { frame: frame.subarray(0, n), x: x.subarray(0, n), y: y.subarray(0, n), columns };
  // Typed arrays filled by index: `from` with a mapping function holds every value as a boxed
  // number first (hundreds of MB for millions of rows).
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => frame[a] - frame[b]);
  const sorted = <T extends Float64Array | Int32Array>(column: T, out: T): T => {
    for (let i = 0; i < n; i++) out[i] = column[order[i]];
    return out;
  };
  for (const [name, column] of columns) columns.set(name, sorted(column, new Float64Array(n)));
  return { frame: sorted(frame, new Int32Array(n)), x: sorted(x, new Float64Array(n)), y: sorted(y, new Float64Array(n)), columns };
}

/** The other columns' names of a CSV with no rows. */
function headerOthers(path: string): string[] {
  const reader = new CsvTableReader(path);
  reader.close();
  return reader.header.filter((h) => h !== 'frame' && !X_NAMES.includes(h) && !Y_NAMES.includes(h));
}
