import type { LocalizationTable } from '../table/LocalizationTable.js';
import { selectRows } from '../table/LocalizationTable.js';
import { compileFilter } from './compileFilter.js';

/** A compiled filter: a test of one row ({@link compileFilter}). */
export type RowTest = ReturnType<typeof compileFilter>;

/**
 * The rows of a table that a filter expression selects ({@link compileFilter}: columns by their
 * names without units, e.g. `uncertainty < 20 && intensity > 500`), every column kept, in order.
 * @param table - the table
 * @param filter - the expression, or one compiled for this table's header
 * @throws FilterExpressionError for a syntax error or an unknown column, pointing at it
 */
export function filterTable(table: LocalizationTable, filter: string | RowTest): LocalizationTable {
  const test = typeof filter === 'string' ? compileFilter(filter, table.header) : filter;
  const keep: number[] = [];
  let r = 0;
  const row = (c: number) => table.columns[c][r];
  for (; r < table.rows; r++) if (test(row)) keep.push(r);
  return selectRows(table, keep);
}
