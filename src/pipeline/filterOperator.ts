import { defer, map } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import { compileFilter } from '../post/compileFilter.js';
import { filterTable } from '../post/filterTable.js';
import type { RowTest } from '../post/filterTable.js';
import type { LocalizationTable } from '../table/LocalizationTable.js';

/**
 * An RxJS operator keeping the rows of each table that a filter expression selects
 * ({@link filterTable}), e.g. after `mergeBlinksOperator`. The expression is compiled once per
 * header (an error names the place in it).
 * @param expression - e.g. `uncertainty < 20 && intensity > 500`
 */
export function filterOperator(expression: string): OperatorFunction<LocalizationTable, LocalizationTable> {
  return (source) =>
    defer(() => {
      let header: readonly string[] | undefined;
      let test: RowTest | undefined;
      return source.pipe(
        map((table) => {
          if (test === undefined || header !== table.header) {
            header = table.header;
            test = compileFilter(expression, header);
          }
          return filterTable(table, test);
        }),
      );
    });
}
