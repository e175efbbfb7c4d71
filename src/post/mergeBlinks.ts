import { InputFileError } from '../errors/InputFileError.js';
import { describeFault, findFaultyRows } from '../table/checkRows.js';
import type { LocalizationTable } from '../table/LocalizationTable.js';
import { positions } from '../table/LocalizationTable.js';
import type { MergeOptions } from './BlinkMerger.js';
import { BlinkMerger } from './BlinkMerger.js';

/**
 * Merge the blinks of a whole table ({@link BlinkMerger}: ThunderSTORM's rules, inverse-variance
 * weighted positions): rows are taken frame by frame (in frame order, whatever the file's
 * order), and the merged rows come out ordered by their first detection.
 * @param table - the localizations (frame, x, y in nm; ours or ThunderSTORM's columns)
 * @param options - distance, off frames, frames per molecule; ThunderSTORM's defaults
 * @param path - the table's file, named in errors @default 'the table'
 * @returns the merged table: the input's columns, plus `detections` when it had none
 * @throws InputFileError when a row's frame, x or y is missing, infinite or absurd ({@link findFaultyRows})
 */
export function mergeBlinks(table: LocalizationTable, options: MergeOptions = {}, path = 'the table'): LocalizationTable {
  const { frame, x, y } = positions(table, path);
  const faulty = findFaultyRows(frame, x, y);
  if (faulty) throw new InputFileError(`${path}: row ${faulty.row + 1}: ${describeFault(faulty.fault, faulty.value)}; merging needs a frame, x and y in every row`);
  const merger = new BlinkMerger(table.header, options);
  const order = Int32Array.from({ length: table.rows }, (_, i) => i).sort((a, b) => frame[a] - frame[b] || a - b);
  const parts: ReturnType<BlinkMerger['drain']>[] = [];
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && frame[order[end]] === frame[order[start]]) end++;
    merger.addFrame(frame[order[start]], table.columns, order.subarray(start, end));
    start = end;
    const done = merger.drain();
    if (done.rows > 0) parts.push(done);
  }
  merger.finish();
  parts.push(merger.drain());
  // Merged rows in the order of their first detections (frame, then input order).
  const rank = new Int32Array(table.rows);
  order.forEach((row, k) => {
    rank[row] = k;
  });
  const index: [number, number][] = [];
  parts.forEach((p, k) => {
    for (let r = 0; r < p.rows; r++) index.push([k, r]);
  });
  index.sort((a, b) => rank[parts[a[0]].firstRow[a[1]]] - rank[parts[b[0]].firstRow[b[1]]]);
  const columns = merger.header.map((_, c) => Float64Array.from(index, ([k, r]) => parts[k].columns[c][r]));
  return { header: merger.header, columns, rows: index.length };
}
