import { compileFilter } from '../post/compileFilter.js';
import { filterTable } from '../post/filterTable.js';
import { describeFault, findFaultyRows, RowFaultTally } from '../table/checkRows.js';
import { lineOfRow } from '../table/lineOfRow.js';
import { columnName, positionColumns } from '../table/LocalizationTable.js';
import { FlagTable } from './FlagTable.js';
import { formatPercent } from './formatPercent.js';
import { runTableStep } from './tableStep.js';
import type { TableStep } from './tableStep.js';
import { UsageError } from './UsageError.js';

export const FILTER_FLAGS = new FlagTable([
  ['Output', [{ name: 'output', short: 'o', value: 'FILE', help: 'filtered CSV to write; the sidecar is FILE with .json', default: 'LOCS.filtered.csv' }]],
  ['Filter', [{ name: 'where', value: 'EXPR', help: 'keep the rows where EXPR is true, e.g. "uncertainty < 20 && intensity > 500"', option: 'where' }]],
]);

/** The command's flags, for the command line's table of commands (and docs/cli.md). */
export const flags = FILTER_FLAGS;

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
    const test = compileFilter(where, table.header);
    const c = positionColumns(table, input);
    let kept = 0;
    // Rows drift and merge would refuse: said, not refused (filter is how they are left out).
    const faulty = new RowFaultTally();
    let stillFaulty = 0;
    // One block at a time: the rows kept of each are written before the next is read.
    function* blocks() {
      for (const block of table.blocks()) {
        const selected = filterTable(block, test);
        kept += selected.rows;
        const found = findFaultyRows(block.columns[c.frame], block.columns[c.x], block.columns[c.y]);
        if (found) {
          faulty.add(found, block.firstRow);
          stillFaulty += findFaultyRows(selected.columns[c.frame], selected.columns[c.x], selected.columns[c.y])?.count ?? 0;
        }
        yield selected;
      }
    }
    return {
      header: table.header,
      blocks: blocks(),
      parameters: { where },
      report() {
        const report = [`smlm-stream filter: kept ${kept} of ${table.rows} localizations (${formatPercent(kept, table.rows)}) where ${where} → ${output}`];
        if (faulty.count > 0) {
          report.push(`  note: ${faulty.count} ${faulty.count === 1 ? 'row has' : 'rows have'} no usable frame, x or y (the first at line ${lineOfRow(input, faulty.row)}: ${describeFault(faulty.fault, faulty.value)}); ${stillFaulty} kept`);
        }
        return report;
      },
    };
  },
};

/**
 * `smlm-stream filter`.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 * @param blockRows - rows per block read @default TABLE_BLOCK_ROWS (8192)
 */
export function run(argv: string[], out: (line: string) => void, blockRows?: number): Promise<number> {
  return runTableStep(FILTER, argv, out, blockRows);
}
