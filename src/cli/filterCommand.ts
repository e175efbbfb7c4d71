import { filterTable } from '../post/filterTable.js';
import { describeFault, findFaultyRows } from '../table/checkRows.js';
import { lineOfRow } from '../table/lineOfRow.js';
import type { LocalizationTable } from '../table/LocalizationTable.js';
import { columnName, positions } from '../table/LocalizationTable.js';
import { FlagTable } from './FlagTable.js';
import { formatPercent } from './formatPercent.js';
import { runTableStep } from './tableStep.js';
import type { TableStep } from './tableStep.js';
import { UsageError } from './UsageError.js';

export const FILTER_FLAGS = new FlagTable([
  ['Output', [{ name: 'output', short: 'o', value: 'FILE', help: 'filtered CSV to write; the sidecar is FILE with .json', default: 'LOCS.filtered.csv' }]],
  ['Filter', [{ name: 'where', value: 'EXPR', help: 'keep the rows where EXPR is true, e.g. "uncertainty < 20 && intensity > 500"', option: 'where' }]],
]);

export const help = `smlm-stream filter LOCS.csv --where EXPR [-o OUT.csv]

Keeps the rows of a localization table (ours or ThunderSTORM's) for which an expression is true.
Columns are named without their units, as in ThunderSTORM's filter formulas: x, y, sigma,
intensity, offset, bkgstd, uncertainty, uncertainty_x, frame, detections, … Operators: < <= > >=
== != (or =), && || ! (or and, or, not; & and | as ThunderSTORM), + - * / ^ mod, parentheses;
functions abs, ceil, floor, log, log10, log2, max, min, round, sqrt, exists; "x in (1, 2)".

${FILTER_FLAGS.help()}`;

export const optionFlags = FILTER_FLAGS.optionFlags;

/** A table's frame, x and y columns, in {@link findFaultyRows}'s order. */
function frameXY(table: LocalizationTable, input: string): [Float64Array, Float64Array, Float64Array] {
  const { frame, x, y } = positions(table, input);
  return [frame, x, y];
}

const FILTER: TableStep = {
  name: 'filter',
  suffix: 'filtered',
  flags: FILTER_FLAGS,
  apply(table, input, output, values) {
    const where = values.where;
    if (typeof where !== 'string' || where.trim() === '') {
      throw new UsageError(`filter needs --where EXPR, e.g. --where "uncertainty < 20"; the columns of ${input} are ${table.header.map(columnName).join(', ')}`);
    }
    const kept = filterTable(table, where);
    const report = [`smlm-stream filter: kept ${kept.rows} of ${table.rows} localizations (${formatPercent(kept.rows, table.rows)}) where ${where} → ${output}`];
    // Rows drift and merge would refuse: said, not refused (filter is how they are left out).
    const faulty = findFaultyRows(...frameXY(table, input));
    if (faulty) {
      const still = findFaultyRows(...frameXY(kept, input))?.count ?? 0;
      report.push(`  note: ${faulty.count} ${faulty.count === 1 ? 'row has' : 'rows have'} no usable frame, x or y (the first at line ${lineOfRow(input, faulty.row)}: ${describeFault(faulty.fault, faulty.value)}); ${still} kept`);
    }
    return { table: kept, parameters: { where }, report };
  },
};

/**
 * `smlm-stream filter`.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 */
export function run(argv: string[], out: (line: string) => void): Promise<number> {
  return runTableStep(FILTER, argv, out);
}
