/** How programs write a missing or infinite value: pandas leaves the cell empty, numpy writes nan and inf, R NA, Java NaN and Infinity. */
const SPECIAL_VALUES: ReadonlyMap<string, number> = new Map([
  ['', Number.NaN],
  ['nan', Number.NaN],
  ['na', Number.NaN],
  ['inf', Infinity],
  ['+inf', Infinity],
  ['-inf', -Infinity],
  ['infinity', Infinity],
  ['+infinity', Infinity],
  ['-infinity', -Infinity],
]);

/**
 * The number in one CSV cell: a decimal number, or a missing or infinite value as other
 * programs write them (empty, `nan`, `NA`, `inf`, `-Infinity`, any case; NaN or ±Infinity),
 * bare or in double quotes (as pandas and R write with quoting on: `"1.5"` is 1.5). The reader
 * splits lines on every comma, so a quoted cell holding a comma (`"1,5"`) reaches here in two
 * pieces and is refused, as is any text that is none of these (`abc`): `undefined`, for the
 * reader to refuse with the line. Allocates nothing for a bare number.
 * @param cell - the cell's text, without the line end
 */
export function parseCell(cell: string): number | undefined {
  const value = Number(cell);
  // Number('') and Number('  ') are 0: an empty cell is a missing value (a cell starting with a
  // printing character is not empty, without trimming every "0" of a status column).
  if (value === value && (value !== 0 || (cell.length > 0 && cell.charCodeAt(0) > 32) || cell.trim() !== '')) return value;
  const text = cell.trim();
  if (text.length >= 2 && text.charCodeAt(0) === 34 && text.charCodeAt(text.length - 1) === 34) {
    const inner = text.slice(1, -1);
    return inner.includes('"') ? undefined : parseCell(inner);
  }
  return SPECIAL_VALUES.get(text.toLowerCase());
}
