import { filterTable } from '../post/filterTable.js';
import { columnName } from '../table/LocalizationTable.js';
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
