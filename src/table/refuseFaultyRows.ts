import { InputFileError } from '../errors/InputFileError.js';
import { describeFault, findFaultyRows, USABLE_ROWS_FILTER } from './checkRows.js';
import { lineOfRow } from './lineOfRow.js';

/**
 * Refuse a table with a row whose frame, x or y is missing, infinite or absurd
 * ({@link findFaultyRows}), naming the file, the first such row's line and how many there are,
 * and the `filter` command that leaves them out. For the steps that rewrite every row (drift,
 * merge): a row they cannot place would come out silently wrong.
 * @param path - the CSV the columns were read from
 * @param step - the command, e.g. `drift`
 * @param frame - frames
 * @param x - x, nm
 * @param y - y, nm
 * @throws InputFileError when a row fails the check
 */
export function refuseFaultyRows(path: string, step: string, frame: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>): void {
  const found = findFaultyRows(frame, x, y);
  if (!found) return;
  const more = found.count > 1 ? ` (and ${found.count - 1} more ${found.count === 2 ? 'row' : 'rows'} with no usable frame, x or y)` : '';
  throw new InputFileError(
    `${path}: line ${lineOfRow(path, found.row)}: ${describeFault(found.fault, found.value)}${more}; ${step} needs a frame, x and y in every row: leave such rows out first with smlm-stream filter ${path} --where "${USABLE_ROWS_FILTER}"`,
  );
}
