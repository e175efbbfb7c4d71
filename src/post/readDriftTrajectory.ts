import { InputFileError } from '../errors/InputFileError.js';
import { findColumn, readTable } from '../table/LocalizationTable.js';
import { DRIFT_CSV_HEADER } from '../table/driftPath.js';

/**
 * Read a drift trajectory CSV (ours, `NAME.drift.csv`, or a simulation's true drift): the drift
 * of every frame from 1 on, nm.
 * @param path - the file
 * @throws InputFileError naming the file when it lacks the columns or skips frames
 */
export function readDriftTrajectory(path: string): { x: Float64Array; y: Float64Array } {
  const table = readTable(path);
  const f = findColumn(table, 'frame');
  const x = findColumn(table, 'drift x');
  const y = findColumn(table, 'drift y');
  if (f < 0 || x < 0 || y < 0) throw new InputFileError(`${path}: a drift trajectory needs the header ${DRIFT_CSV_HEADER}`);
  for (let r = 0; r < table.rows; r++) {
    if (table.columns[f][r] !== r + 1) throw new InputFileError(`${path}: row ${r + 1} is frame ${table.columns[f][r]}; a drift trajectory has every frame from 1 in order`);
  }
  return { x: table.columns[x], y: table.columns[y] };
}
