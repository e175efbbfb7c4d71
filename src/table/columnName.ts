/**
 * A column's name without its unit, as filter expressions use it: `x [nm]` → `x`,
 * `intensity [photon]` → `intensity`. In a file of its own (no imports) so that the filter
 * grammar (src/post/compileFilter.ts) bundles for the browser without the CSV reader's `node:fs`.
 * @param header - a CSV header
 */
export function columnName(header: string): string {
  return header.replace(/\s*\[[^\]]*\]\s*$/, '').trim();
}
