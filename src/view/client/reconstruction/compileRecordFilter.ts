import { compileFilter } from '../../../post/compileFilter.js';
import { ASTIGMATIC_COLUMNS, LOCALIZATION_COLUMNS } from '../../../table/columns.js';
import { LOC_FIELD, LOC_RECORD_FIELDS, type LocRecordField } from '../../protocol.js';
import type { RecordTest } from './LocalizationStore.js';

/**
 * The table column (its key in src/table/columns.ts) that each record field is: a filter names
 * the columns as the CSV and the `filter` command do (`x`, `intensity`, `uncertainty`, …).
 */
const COLUMN_OF_FIELD: Readonly<Record<LocRecordField, string>> = {
  xNm: 'x',
  yNm: 'y',
  zNm: 'z',
  frame: 'frame',
  photons: 'intensity',
  backgroundPhotons: 'offset',
  uncertaintyNm: 'uncertainty',
  sigmaNm: 'sigma',
};

/** The CSV headers of the record fields, in record order (`x [nm]`, …, `intensity [photon]`, …). */
export const RECORD_HEADERS: readonly string[] = LOC_RECORD_FIELDS.map((field) => {
  const column = [...LOCALIZATION_COLUMNS, ...ASTIGMATIC_COLUMNS].find((c) => c.key === COLUMN_OF_FIELD[field]);
  if (column === undefined) throw new Error(`no table column for the record field ${field}`);
  return column.header;
});

/**
 * Compile a filter expression in the `filter` command's grammar (src/post/compileFilter.ts) into
 * a test of one LOC_RECORD_FIELDS record. The record's frame is 0-based and the CSV's from 1: the
 * filter sees the CSV's number, so `frame <= 100` keeps the same rows in the page as in `filter`.
 * z is NaN in 2-D runs (every comparison with it is false).
 * @param expression - e.g. `uncertainty < 20 && intensity > 500`; blank: no filter
 * @returns the test, or null for a blank expression
 * @throws FilterExpressionError (a readable message naming the place) for a bad expression
 */
export function compileRecordFilter(expression: string): RecordTest | null {
  if (expression.trim() === '') return null;
  const test = compileFilter(expression, RECORD_HEADERS);
  const frameField = LOC_FIELD.frame;
  let records: Float32Array = new Float32Array(0);
  let base = 0;
  const row = (column: number): number => (column === frameField ? records[base + column] + 1 : records[base + column]);
  return (r, b) => {
    records = r;
    base = b;
    return test(row);
  };
}
