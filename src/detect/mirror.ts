/**
 * Half-sample symmetric extension of an index into [0, n): −1 → 0, −2 → 1, n → n − 1,
 * n + 1 → n − 2 (clamped for offsets beyond one reflection, on lines shorter than the filter).
 * @param i - index, possibly outside the line
 * @param n - line length
 */
export function mirror(i: number, n: number): number {
  if (i < 0) i = -i - 1;
  if (i >= n) i = 2 * n - i - 1;
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}
