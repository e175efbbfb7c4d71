import type { LocalizationTable } from '../table/LocalizationTable.js';
import { findColumn, positions } from '../table/LocalizationTable.js';
import type { DriftTrajectory } from './DriftTrajectory.js';

/**
 * A table with its positions corrected for drift: x − drift x(frame), y − drift y(frame); every
 * other column as it was. Rows of frames past the trajectory take its last frame's drift.
 * @param table - the localizations (frame, x, y in nm)
 * @param drift - the drift of every frame, relative to frame 1 ({@link DriftTrajectory})
 * @param path - the table's file, named in errors @default 'the table'
 */
export function correctDrift(table: LocalizationTable, drift: Pick<DriftTrajectory, 'x' | 'y'>, path = 'the table'): LocalizationTable {
  const { frame, x, y } = positions(table, path);
  const last = drift.x.length - 1;
  const at = (f: number) => Math.min(last, Math.max(0, f - 1));
  const cx = Float64Array.from(x, (v, i) => v - drift.x[at(frame[i])]);
  const cy = Float64Array.from(y, (v, i) => v - drift.y[at(frame[i])]);
  const xi = findColumn(table, 'x', 'x_nm');
  const yi = findColumn(table, 'y', 'y_nm');
  const columns = table.columns.map((c, k) => (k === xi ? cx : k === yi ? cy : c));
  return { header: table.header, columns, rows: table.rows };
}
