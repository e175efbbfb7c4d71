/**
 * The median of a patch's border pixels, the background start of every fit from a patch or
 * window alone (initialGuess.ts, models/windowStart.ts): `values[0 … count − 1]` sorted in place
 * by insertion sort (≤ 56 values for the widest box, so no allocation and no comparator call),
 * then the middle value, or the mean of the two middle values for an even count.
 * @param values - the border pixels, photons/px; the first `count` are sorted in place
 * @param count - how many (≥ 1)
 * @returns their median, photons/px
 */
export function borderMedian(values: Float64Array, count: number): number {
  for (let a = 1; a < count; a++) {
    const v = values[a];
    let e = a - 1;
    while (e >= 0 && values[e] > v) {
      values[e + 1] = values[e];
      e--;
    }
    values[e + 1] = v;
  }
  const half = count >> 1;
  return count % 2 === 1 ? values[half] : 0.5 * (values[half - 1] + values[half]);
}
