import type { LocalizationTable } from '../table/LocalizationTable.js';
import { positions } from '../table/LocalizationTable.js';
import type { PointTable } from './PointTable.js';

/**
 * A localization table as a {@link PointTable} (frame, x, y; the other columns by header), to
 * evaluate it against a truth.
 * @param table - the table (frame, x and y in nm)
 * @param path - its file, named in errors @default 'the table'
 */
export function pointTableOf(table: LocalizationTable, path = 'the table'): PointTable {
  const { frame, x, y } = positions(table, path);
  const columns = new Map<string, Float64Array>();
  table.header.forEach((h, k) => {
    if (table.columns[k] !== x && table.columns[k] !== y && table.columns[k] !== frame) columns.set(h, table.columns[k]);
  });
  return { frame: Int32Array.from(frame), x, y, columns };
}
