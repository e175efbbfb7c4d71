import { mergeBlinks } from '../post/mergeBlinks.js';
import { mergeDistanceWarning } from '../post/mergeDistanceWarning.js';
import { DETECTIONS_HEADER } from '../table/columns.js';
import { findColumn, positions } from '../table/LocalizationTable.js';
import { refuseFaultyRows } from '../table/refuseFaultyRows.js';
import { FlagTable } from './FlagTable.js';
import { MERGE_OPTION_FLAGS, mergeOptionsFrom } from './mergeFlags.js';
import { runTableStep } from './tableStep.js';
import type { TableStep } from './tableStep.js';

export const MERGE_FLAGS = new FlagTable([
  ['Output', [{ name: 'output', short: 'o', value: 'FILE', help: 'merged CSV to write; the sidecar is FILE with .json', default: 'LOCS.merged.csv' }]],
  ['Merging (ThunderSTORM\'s rules and defaults)', MERGE_OPTION_FLAGS],
]);

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
    const { frame, x, y } = positions(table, input);
    refuseFaultyRows(input, 'merge', frame, x, y);
    const t0 = performance.now();
    const merged = mergeBlinks(table, options, input);
    const seconds = (performance.now() - t0) / 1000;
    const detections = merged.columns[findColumn(merged, DETECTIONS_HEADER)];
    const multi = detections.reduce((n, d) => n + (d > 1 ? 1 : 0), 0);
    const report = [`smlm-stream merge: ${table.rows} localizations → ${merged.rows} molecules (${multi} of more than one detection; ${(table.rows / Math.max(1, merged.rows)).toFixed(2)} detections each on average) in ${seconds.toFixed(2)} s → ${output}`];
    const u = findColumn(table, 'uncertainty_x');
    const column = u >= 0 ? table.columns[u] : table.columns[findColumn(table, 'uncertainty')] ?? undefined;
    if (column) {
      const sorted = Float64Array.from(column.filter((v) => Number.isFinite(v) && v > 0)).sort();
      const warning = mergeDistanceWarning(sorted[sorted.length >> 1], options.maxDistanceNm);
      if (warning) report.push(`  warning: ${warning}`);
    }
    return { table: merged, parameters: { ...options, maxFrames: Number.isFinite(options.maxFrames) ? options.maxFrames : 'unlimited' }, results: { molecules: merged.rows, moleculesOfSeveralDetections: multi }, report };
  },
};

/**
 * `smlm-stream merge`.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 */
export function run(argv: string[], out: (line: string) => void): Promise<number> {
  return runTableStep(MERGE, argv, out);
}
