import { InputFileError } from '../errors/InputFileError.js';
import type { FaultyRows } from './checkRows.js';
import { describeFault, USABLE_ROWS_FILTER } from './checkRows.js';
import { lineOfRow } from './lineOfRow.js';

/**
 * Refuse a table with a row whose frame, x or y is missing, infinite or absurd (as
 * `findFaultyRows` of its columns, or a `RowFaultTally` of its blocks, found them), naming
 * the file, the first such row's line and how many there are, and the `filter` command that
 * leaves them out. For the steps that rewrite every row (drift, merge): a row they cannot place
 * would come out silently wrong.
 * @param path - the CSV the rows were read from
 * @param step - the command, e.g. `drift`
 * @param found - the table's faulty rows (row indices from the table's first row), or undefined when none
 * @throws InputFileError when there is one
 */
export function refuseFaultyRows(path: string, step: string, found: FaultyRows | undefined): void {
  if (!found || found.count === 0) return;
  const more = found.count > 1 ? ` (and ${found.count - 1} more ${found.count === 2 ? 'row' : 'rows'} with no usable frame, x or y)` : '';
  throw new InputFileError(
    `${path}: line ${lineOfRow(path, found.row)}: ${describeFault(found.fault, found.value)}${more}; ${step} needs a frame, x and y in every row: leave such rows out first with smlm-stream filter ${path} --where "${USABLE_ROWS_FILTER}"`,
  );
}
