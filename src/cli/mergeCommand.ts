import { BlinkMerger } from '../post/BlinkMerger.js';
import { mergeBlinkBlocks } from '../post/mergeBlinkBlocks.js';
import { mergeBlinks } from '../post/mergeBlinks.js';
import { mergeDistanceWarning } from '../post/mergeDistanceWarning.js';
import { DETECTIONS_HEADER } from '../table/columns.js';
import type { FaultyRows } from '../table/checkRows.js';
import { findFaultyRows, RowFaultTally } from '../table/checkRows.js';
import { CsvTableReader } from '../table/CsvTableReader.js';
import type { LocalizationTable } from '../table/LocalizationTable.js';
import { findColumn, positionColumns, readTable } from '../table/LocalizationTable.js';
import { refuseFaultyRows } from '../table/refuseFaultyRows.js';
import type { TableSource } from '../table/TableSource.js';
import { FlagTable } from './FlagTable.js';
import { MERGE_OPTION_FLAGS, mergeOptionsFrom } from './mergeFlags.js';
import { runTableStep } from './tableStep.js';
import type { TableStep } from './tableStep.js';

export const MERGE_FLAGS = new FlagTable([
  ['Output', [{ name: 'output', short: 'o', value: 'FILE', help: 'merged CSV to write; the sidecar is FILE with .json', default: 'LOCS.merged.csv' }]],
  ['Merging (ThunderSTORM\'s rules and defaults)', MERGE_OPTION_FLAGS],
]);

/** The command's flags, for the command line's table of commands (and docs/cli.md). */
export const flags = MERGE_FLAGS;

export const help = `smlm-stream merge LOCS.csv [-o OUT.csv] [options]

Merges the detections of one molecule in consecutive frames (gaps of at most --max-off-frames)
into one row, as ThunderSTORM's merging: candidates nearest first, each compared with the
molecule's last detection. A merged row has the first detection's frame and id, a "detections"
column, x and y weighted by inverse variance (1/uncertainty², as Picasso), the uncertainties
recomputed from the weights, intensity and bkgstd summed, sigma and offset averaged, chi2 NaN,
and the other columns of the first detection. Rows with a status other than 0 are kept unmerged.

${MERGE_FLAGS.help()}`;

export const optionFlags = MERGE_FLAGS.optionFlags;

const MERGE: TableStep = {
  name: 'merge',
  suffix: 'merged',
  flags: MERGE_FLAGS,
  apply(table, input, output, values) {
    const options = mergeOptionsFrom(values);
    const header = new BlinkMerger(table.header, options).header;
    const { inFrameOrder, medianUncertainty, faulty } = firstPass(table, input);
    refuseFaultyRows(input, 'merge', faulty);
    const d = findColumn({ header }, DETECTIONS_HEADER);
    let rows = 0;
    let multi = 0;
    // A table in frame order (ours, ThunderSTORM's) is merged while it is read again; another is
    // merged whole, in memory.
    const merged: Iterable<LocalizationTable> = inFrameOrder ? mergeBlinkBlocks(table.header, table.blocks(), options, input) : [mergeBlinks(readTable(input), options, input)];
    const t0 = performance.now();
    let seconds = 0;
    function* blocks() {
      for (const block of merged) {
        rows += block.rows;
        for (let r = 0; r < block.rows; r++) if (block.columns[d][r] > 1) multi++;
        yield block;
      }
      seconds = (performance.now() - t0) / 1000;
    }
    return {
      header,
      blocks: blocks(),
      parameters: { ...options, maxFrames: Number.isFinite(options.maxFrames) ? options.maxFrames : 'unlimited' },
      results: () => ({ molecules: rows, moleculesOfSeveralDetections: multi }),
      report() {
        const report = [`smlm-stream merge: ${table.rows} localizations → ${rows} molecules (${multi} of more than one detection; ${(table.rows / Math.max(1, rows)).toFixed(2)} detections each on average) in ${seconds.toFixed(2)} s → ${output}`];
        const warning = medianUncertainty === undefined ? undefined : mergeDistanceWarning(medianUncertainty, options.maxDistanceNm);
        if (warning) report.push(`  warning: ${warning}`);
        return report;
      },
    };
  },
};

/**
 * The first pass over a table to merge: whether its frames never decrease (merging can then
 * stream), the median of its positive uncertainties (uncertainty_x, else uncertainty), nm,
 * for {@link mergeDistanceWarning} (only that column is kept), and its rows without a usable
 * frame, x or y (counted block by block, the first by its row in the table).
 */
function firstPass(table: TableSource, path: string): { inFrameOrder: boolean; medianUncertainty: number | undefined; faulty: FaultyRows } {
  const { frame: f, x, y } = positionColumns(table, path);
  const faulty = new RowFaultTally();
  const ux = findColumn(table, 'uncertainty_x');
  const u = ux >= 0 ? ux : findColumn(table, 'uncertainty');
  const kept = new Float64Array(u >= 0 ? CsvTableReader.rowCapacity(path) : 0);
  let n = 0;
  let inFrameOrder = true;
  let last = -Infinity;
  for (const block of table.blocks()) {
    const frame = block.columns[f];
    faulty.add(findFaultyRows(frame, block.columns[x], block.columns[y]), block.firstRow);
    for (let r = 0; r < block.rows; r++) {
      if (!(frame[r] >= last)) inFrameOrder = false;
      last = frame[r];
    }
    if (u < 0) continue;
    const column = block.columns[u];
    for (let r = 0; r < block.rows && n < kept.length; r++) if (Number.isFinite(column[r]) && column[r] > 0) kept[n++] = column[r];
  }
  if (u < 0) return { inFrameOrder, medianUncertainty: undefined, faulty };
  const sorted = kept.subarray(0, n).sort();
  return { inFrameOrder, medianUncertainty: sorted[sorted.length >> 1], faulty };
}

/**
 * `smlm-stream merge`.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 * @param blockRows - rows per block read @default TABLE_BLOCK_ROWS (8192)
 */
export function run(argv: string[], out: (line: string) => void, blockRows?: number): Promise<number> {
  return runTableStep(MERGE, argv, out, blockRows);
}
